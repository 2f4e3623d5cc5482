// Where a large body is cut into parts: never more than PART_BYTES of UTF-8, never between
// the halves of a surrogate pair, and the parts join back to the body (property-tested).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PART_BYTES, partEnd } from "../../app/inbox/body-parts.server.ts";

function split(text: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length;) {
    const end = partEnd(text, start);
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

// Runs of 1-, 2-, 3- and 4-byte characters, long enough to cross several part boundaries.
const run = fc.tuple(fc.constantFrom("x", "é", "€", "😀"), fc.integer({ min: 1, max: PART_BYTES / 2 })).map(([c, n]) => c.repeat(n));
const body = fc.array(run, { minLength: 1, maxLength: 8 }).map((runs) => runs.join(""));

describe("cutting a body into parts", () => {
  it("parts hold at most PART_BYTES of UTF-8, are each valid text, and join back to the body", () => {
    fc.assert(
      fc.property(body, (text) => {
        const parts = split(text);
        expect(parts.join("")).toBe(text);
        for (const p of parts) {
          expect(Buffer.byteLength(p)).toBeLessThanOrEqual(PART_BYTES);
          expect(p.length).toBeGreaterThan(0);
          // A lone surrogate does not survive UTF-8: the round trip would change it.
          expect(Buffer.from(p, "utf8").toString("utf8")).toBe(p);
        }
      }),
      { numRuns: 40 },
    );
  });
});
