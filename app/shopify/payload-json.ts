// Parses a stored webhook body with Shopify's ids kept exact. Shopify's ids are 64-bit and
// JSON.parse turns an integer above 2^53 into the nearest double, so two orders whose ids
// differ only in the last digits would become one. Such integers come back as their digit
// string (which the payload mapper accepts as an id and refuses as a quantity); so does any
// number whose literal is an integer beyond exact range, such as 1e300.

/** Deeper than any Shopify payload (about 6 levels); a bound, so a hostile body cannot exhaust the stack. */
export const MAX_PAYLOAD_DEPTH = 64;

export class PayloadTooDeepError extends RangeError {
  override name = "PayloadTooDeepError";
}

interface ReviverContext {
  source?: string;
}

function exactNumbers(this: unknown, _key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
  // An integer JSON cannot hold exactly: keep what was written. Node >= 21 passes the source.
  const source = context?.source;
  if (source === undefined) throw new RangeError("JSON.parse gives no number source on this Node.js: cannot keep ids exact");
  return source;
}

/** Throws PayloadTooDeepError if arrays/objects nest deeper than `max` (strings are skipped). */
export function checkDepth(text: string, max = MAX_PAYLOAD_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) throw new PayloadTooDeepError(`payload nests deeper than ${max} levels`);
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
}

/** JSON.parse with exact integers (see above) and a nesting bound. Throws SyntaxError or PayloadTooDeepError. */
export function parsePayload(text: string): unknown {
  checkDepth(text);
  return JSON.parse(text, exactNumbers as (this: unknown, key: string, value: unknown) => unknown);
}
