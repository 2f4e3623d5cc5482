// Reads a webhook body without trusting the sender about its size: a declared
// Content-Length over the limit is refused before a byte is read, and a body streamed
// without one is no longer read once it passes the limit. Each chunk is handed on (to the
// HMAC) and decoded as it arrives, so the raw bytes are never gathered in one buffer.
//
// A body we stop reading is left, not cancelled: Remix's Node adapter answers a cancel by
// destroying the socket, and the sender would get a reset instead of our 413 or 401. The
// door's refusals say "Connection: close" instead, so the server closes the connection
// once it has answered, without reading the rest.

export type DeclaredLength = { kind: "none" } | { kind: "bytes"; bytes: number } | { kind: "invalid" };

/** Content-Length as sent; two different values (joined "a, b") are invalid. */
export function declaredLength(headers: Headers): DeclaredLength {
  const raw = headers.get("Content-Length");
  if (raw === null) return { kind: "none" };
  const bytes = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(bytes) ? { kind: "bytes", bytes } : { kind: "invalid" };
}

export type BodyRead =
  /** `text` is null when the bytes are not storable text (not UTF-8, or a NUL character). */
  | { kind: "read"; bytes: number; text: string | null }
  | { kind: "too-large"; limit: number }
  | { kind: "longer-than-declared"; declared: number }
  | { kind: "unreadable"; reason: string };

export interface ReadBodyOptions {
  maxBytes: number;
  /** Content-Length, when sent: more bytes than that is a broken request. */
  declaredBytes: number | null;
  /** Sees every chunk, in order, before it is decoded. */
  onChunk: (chunk: Uint8Array) => void;
}

export async function readBody(body: ReadableStream<Uint8Array> | null, o: ReadBodyOptions): Promise<BodyRead> {
  if (body === null) return { kind: "read", bytes: 0, text: "" };
  const reader = body.getReader();
  const stop = () => reader.releaseLock();
  // fatal: bytes that are not UTF-8 would otherwise become U+FFFD and the stored body would
  // no longer be what Shopify signed. ignoreBOM keeps a byte-order mark as sent.
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const parts: string[] = [];
  let storable = true;
  let bytes = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (e) {
      return { kind: "unreadable", reason: e instanceof Error ? e.message : String(e) };
    }
    if (next.done) break;
    const chunk = next.value;
    bytes += chunk.byteLength;
    if (bytes > o.maxBytes) {
      stop();
      return { kind: "too-large", limit: o.maxBytes };
    }
    if (o.declaredBytes !== null && bytes > o.declaredBytes) {
      stop();
      return { kind: "longer-than-declared", declared: o.declaredBytes };
    }
    o.onChunk(chunk);
    if (storable) storable = decodeInto(parts, decoder, chunk, true);
  }
  if (storable) storable = decodeInto(parts, decoder, undefined, false);
  if (!storable) return { kind: "read", bytes, text: null };
  const text = parts.join("");
  // PostgreSQL text cannot hold U+0000, so neither database is asked to.
  return { kind: "read", bytes, text: text.includes("\u0000") ? null : text };
}

function decodeInto(parts: string[], decoder: TextDecoder, chunk: Uint8Array | undefined, stream: boolean): boolean {
  try {
    parts.push(decoder.decode(chunk, { stream }));
    return true;
  } catch {
    parts.length = 0; // not text: nothing of it will be stored, so do not keep it
    return false;
  }
}
