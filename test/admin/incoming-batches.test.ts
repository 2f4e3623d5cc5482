import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkBatch, parseBatchImport, parseCsv } from "../../app/admin/incoming-batches.ts";
import { csvRow } from "../../app/admin/csv.ts";

const TODAY = "2026-11-30";

describe("checkBatch", () => {
  it("accepts a batch and normalises a location GID", () => {
    expect(
      checkBatch({ arrivesOn: "2026-12-10", quantity: "12", locationId: "gid://shopify/Location/42", reference: " PO-1 " }, TODAY),
    ).toEqual({
      ok: true,
      value: { arrivesOn: "2026-12-10", quantity: 12, locationId: "42", reference: "PO-1" },
    });
  });

  it("names every bad field", () => {
    expect(checkBatch({ arrivesOn: "2026-02-30", quantity: "1.5", locationId: "east", reference: "x".repeat(101) }, TODAY)).toEqual({
      ok: false,
      errors: {
        arrivesOn: "Arrival date must be a date like 2026-12-31.",
        quantity: "Quantity must be a whole number of units.",
        locationId: "Location must be a Shopify location id (a number).",
        reference: "Reference is at most 100 characters.",
      },
    });
    expect(checkBatch({ arrivesOn: "", quantity: "" }, TODAY)).toEqual({
      ok: false,
      errors: { arrivesOn: "Arrival date is required.", quantity: "Quantity is required." },
    });
  });
});

describe("parseCsv", () => {
  it("reads quoted fields with commas, quotes and line breaks, CRLF and a BOM", () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n"two\nlines",\r\n\r\n')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["two\nlines", ""],
    ]);
  });

  it("reads back what csvRow writes (text without formula guards)", () => {
    const cell = fc.string({ maxLength: 12 }).filter((s) => !/^[=+\-@\t\r,;]/.test(s) && !/[,;\t\r\n][=+\-@]/.test(s) && s.trim() !== "");
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = rows.map((r) => csvRow(r)).join("");
        return JSON.stringify(parseCsv(text)) === JSON.stringify(rows);
      }),
    );
  });
});

describe("parseBatchImport", () => {
  const catalog = new Map([
    ["111", "111"],
    ["sku:LMP", "111"],
  ]);
  const variantOf = (k: { variantId: string } | { sku: string }) => catalog.get("variantId" in k ? k.variantId : `sku:${k.sku}`) ?? null;

  it("imports rows by SKU or variant id (GID too)", () => {
    const r = parseBatchImport("SKU,Arrives_On,Quantity,Reference\nLMP,2026-12-01,5,PO 1\n", TODAY, variantOf);
    expect(r).toEqual({
      ok: true,
      batches: [{ variantId: "111", arrivesOn: "2026-12-01", quantity: 5, locationId: null, reference: "PO 1" }],
    });
    const g = parseBatchImport("variant_id,arrives_on,quantity\ngid://shopify/ProductVariant/111,2026-12-01,5\n", TODAY, variantOf);
    expect(g.ok).toBe(true);
  });

  it("refuses the file with each bad line named, and a header without the needed columns", () => {
    expect(parseBatchImport("sku,arrives_on,quantity\nLMP,2026-12-01,5\n,2026-12-01,5\nLMP,2026-11-01,-2\n", TODAY, variantOf)).toEqual({
      ok: false,
      errors: [
        { line: 3, message: "no variant id or SKU." },
        { line: 4, message: "Arrival date 2026-11-01 is in the past (today is 2026-11-30); Quantity must be a whole number of units." },
      ],
    });
    expect(parseBatchImport("sku,when,qty\nLMP,2026-12-01,5\n", TODAY, variantOf)).toEqual({
      ok: false,
      errors: [{ line: 1, message: "The header row needs the column(s): arrives_on." }],
    });
    expect(parseBatchImport("sku,arrives_on,quantity\n", TODAY, variantOf).ok).toBe(false);
  });
});
