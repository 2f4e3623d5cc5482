// Validation of incoming batches, typed in the planning page's form or imported from a
// CSV file. Pure, so every message a merchant can see is unit-tested. An import is all or
// nothing: one bad row and nothing is written, with every bad row named.
import { checkRestockDate, LIMIT_MAX } from "./variant-settings.ts";

export const REFERENCE_MAX = 100;
export const BATCHES_PER_VARIANT_MAX = 50;
export const IMPORT_ROWS_MAX = 5_000;
export const IMPORT_BYTES_MAX = 1_000_000;

export interface BatchValue {
  /** YYYY-MM-DD */
  arrivesOn: string;
  quantity: number;
  locationId: string | null;
  reference: string | null;
}

export interface BatchInput {
  arrivesOn: string;
  quantity: string;
  locationId?: string;
  reference?: string;
}

export type BatchField = keyof BatchValue;
export type BatchCheck = { ok: true; value: BatchValue } | { ok: false; errors: Partial<Record<BatchField, string>> };

const LOCATION_ID = /^(gid:\/\/shopify\/Location\/)?\d{1,20}$/;

/** One batch: a date from today on, a quantity of at least 1, an optional location id and reference. */
export function checkBatch(input: BatchInput, today: string): BatchCheck {
  const errors: Partial<Record<BatchField, string>> = {};
  const date = input.arrivesOn.trim();
  const checked = date ? checkRestockDate(date, today) : { error: "Arrival date is required." };
  if ("error" in checked) errors.arrivesOn = checked.error.replace(/^Restock date/, "Arrival date");
  const quantity = input.quantity.trim();
  if (!/^\d+$/.test(quantity)) errors.quantity = quantity ? "Quantity must be a whole number of units." : "Quantity is required.";
  else if (Number(quantity) < 1) errors.quantity = "Quantity must be at least 1.";
  else if (Number(quantity) > LIMIT_MAX) errors.quantity = `Quantity cannot be more than ${LIMIT_MAX.toLocaleString("en-US")}.`;
  const location = (input.locationId ?? "").trim();
  if (location && !LOCATION_ID.test(location)) errors.locationId = "Location must be a Shopify location id (a number).";
  const reference = (input.reference ?? "").trim();
  if (reference.length > REFERENCE_MAX) errors.reference = `Reference is at most ${REFERENCE_MAX} characters.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      arrivesOn: "value" in checked ? checked.value : date,
      quantity: Number(quantity),
      locationId: location ? location.replace(/^gid:\/\/shopify\/Location\//, "") : null,
      reference: reference || null,
    },
  };
}

/** RFC 4180 fields: quoted fields may hold commas, quotes ("") and line breaks. A BOM is dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const s = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && s[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ""));
}

export interface ImportedBatch extends BatchValue {
  variantId: string;
}

export interface ImportError {
  /** Line in the file (the header is line 1). */
  line: number;
  message: string;
}

export type ImportResult = { ok: true; batches: ImportedBatch[] } | { ok: false; errors: ImportError[] };

const HEADERS = {
  variant: ["variant_id", "variant id", "variant"],
  sku: ["sku"],
  date: ["arrives_on", "arrives on", "date", "arrival date"],
  quantity: ["quantity", "qty", "units"],
  location: ["location_id", "location id", "location"],
  reference: ["reference", "po", "po number", "note"],
};

/**
 * Batches from a CSV file with a header row: `variant_id` or `sku` (which variant),
 * `arrives_on` (YYYY-MM-DD), `quantity`, and optionally `location_id` and `reference`.
 * `variantOf` maps a variant id or SKU to the shop's variant id (null: not in the catalog).
 */
export function parseBatchImport(
  text: string,
  today: string,
  variantOf: (key: { variantId: string } | { sku: string }) => string | null,
): ImportResult {
  if (text.length > IMPORT_BYTES_MAX) return { ok: false, errors: [{ line: 0, message: "The file is larger than 1 MB: split it." }] };
  const rows = parseCsv(text);
  if (rows.length < 2) return { ok: false, errors: [{ line: 1, message: "The file has no batches: a header row and one row per batch." }] };
  if (rows.length - 1 > IMPORT_ROWS_MAX)
    return { ok: false, errors: [{ line: 0, message: `At most ${IMPORT_ROWS_MAX.toLocaleString("en-US")} batches per file.` }] };
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  const col = (names: string[]) => header.findIndex((h) => names.includes(h));
  const at = {
    variant: col(HEADERS.variant),
    sku: col(HEADERS.sku),
    date: col(HEADERS.date),
    quantity: col(HEADERS.quantity),
    location: col(HEADERS.location),
    reference: col(HEADERS.reference),
  };
  const missing = [
    at.variant < 0 && at.sku < 0 ? "variant_id or sku" : null,
    at.date < 0 ? "arrives_on" : null,
    at.quantity < 0 ? "quantity" : null,
  ].filter((m) => m !== null);
  if (missing.length > 0)
    return { ok: false, errors: [{ line: 1, message: `The header row needs the column(s): ${missing.join(", ")}.` }] };

  const errors: ImportError[] = [];
  const batches: ImportedBatch[] = [];
  rows.slice(1).forEach((r, i) => {
    const line = i + 2;
    const cell = (n: number) => (n >= 0 ? (r[n] ?? "").trim() : "");
    const rawVariant = cell(at.variant).replace(/^gid:\/\/shopify\/ProductVariant\//, "");
    const sku = cell(at.sku);
    let variantId: string | null = null;
    if (rawVariant) variantId = variantOf({ variantId: rawVariant });
    else if (sku) variantId = variantOf({ sku });
    const problems: string[] = [];
    if (!rawVariant && !sku) problems.push("no variant id or SKU");
    else if (variantId === null) problems.push(rawVariant ? `no variant ${rawVariant} in the catalog` : `no variant with SKU ${sku}`);
    const checked = checkBatch(
      { arrivesOn: cell(at.date), quantity: cell(at.quantity), locationId: cell(at.location), reference: cell(at.reference) },
      today,
    );
    if (!checked.ok) problems.push(...Object.values(checked.errors).map((m) => m.replace(/\.$/, "")));
    if (problems.length > 0) errors.push({ line, message: `${problems.join("; ")}.` });
    else if (checked.ok && variantId !== null) batches.push({ variantId, ...checked.value });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, batches };
}
