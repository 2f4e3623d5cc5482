// Validation of the variant backorder settings form. Pure, so every message a merchant
// can see is unit-tested. One variant: a blank field clears the setting. Several
// variants (bulk edit): a blank field leaves each variant's own value alone.

export const MESSAGE_MAX = 200;
export const LIMIT_MAX = 100_000;
export const LEAD_TIME_MAX = 365;
export const RESTOCK_HORIZON_DAYS = 730;

export interface VariantSettingsPatch {
  enabled?: boolean;
  autoEnable?: boolean;
  maxBackorder?: number | null;
  /** YYYY-MM-DD */
  restockDate?: string | null;
  incomingQuantity?: number | null;
  leadTimeDays?: number | null;
  message?: string | null;
}

export type VariantSettingsField = keyof VariantSettingsPatch;

export type VariantSettingsResult =
  { ok: true; patch: VariantSettingsPatch } | { ok: false; errors: Partial<Record<VariantSettingsField | "form", string>> };

export interface VariantSettingsInput {
  enabled?: string | null;
  autoEnable?: string | null;
  maxBackorder?: string | null;
  restockDate?: string | null;
  incomingQuantity?: string | null;
  leadTimeDays?: string | null;
  message?: string | null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date (rejects 2026-02-30), as its UTC midnight time. */
export function calendarDateMs(value: string): number | null {
  if (!ISO_DATE.test(value)) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) return null;
  return ms;
}

type Parsed<T> = { value: T } | { error: string } | { skip: true };

function parseWholeNumber(raw: string, label: string, { min, max }: { min: number; max: number }): Parsed<number> {
  if (!/^-?\d+$/.test(raw))
    return { error: `${label} must be a whole number${raw.includes(".") || raw.includes(",") ? " (no decimals)" : ""}.` };
  const n = Number(raw);
  if (n < min) return { error: n < 0 ? `${label} cannot be negative.` : `${label} must be at least ${min}.` };
  if (n > max) return { error: `${label} cannot be more than ${max.toLocaleString("en-US")}.` };
  return { value: n };
}

/** Checks a restock date: a real date, not before today, not absurdly far out. */
export function checkRestockDate(raw: string, today: string): { value: string } | { error: string } {
  const ms = calendarDateMs(raw);
  if (ms === null) return { error: "Restock date must be a date like 2026-12-31." };
  const todayMs = calendarDateMs(today) ?? 0;
  if (ms < todayMs) return { error: `Restock date ${raw} is in the past (today is ${today}).` };
  if (ms > todayMs + RESTOCK_HORIZON_DAYS * 86_400_000) return { error: "Restock date is more than two years away." };
  return { value: raw };
}

function toggle(raw: string | null | undefined): Parsed<boolean> {
  if (raw === "on" || raw === "true") return { value: true };
  if (raw === "off" || raw === "false") return { value: false };
  return { skip: true };
}

export function validateVariantSettings(
  input: VariantSettingsInput,
  { today, bulk }: { today: string; bulk: boolean },
): VariantSettingsResult {
  const errors: Partial<Record<VariantSettingsField | "form", string>> = {};
  const patch: VariantSettingsPatch = {};
  const blank = (v: string | null | undefined) => (v ?? "").trim() === "";

  for (const field of ["enabled", "autoEnable"] as const) {
    const t = toggle(input[field]);
    if ("value" in t) patch[field] = t.value;
  }

  const numbers = [
    ["maxBackorder", "Backorder limit", { min: 0, max: LIMIT_MAX }],
    ["incomingQuantity", "Incoming quantity", { min: 0, max: LIMIT_MAX * 10 }],
    ["leadTimeDays", "Lead time", { min: 0, max: LEAD_TIME_MAX }],
  ] as const;
  for (const [field, label, range] of numbers) {
    const raw = (input[field] ?? "").trim();
    if (blank(raw)) {
      if (!bulk) patch[field] = null;
      continue;
    }
    const r = parseWholeNumber(raw, label, range);
    if ("error" in r) errors[field] = r.error;
    else if ("value" in r) patch[field] = r.value;
  }

  const restock = (input.restockDate ?? "").trim();
  if (blank(restock)) {
    if (!bulk) patch.restockDate = null;
  } else {
    const r = checkRestockDate(restock, today);
    if ("error" in r) errors.restockDate = r.error;
    else patch.restockDate = r.value;
  }

  const message = (input.message ?? "").trim();
  if (blank(message)) {
    if (!bulk) patch.message = null;
  } else if (message.length > MESSAGE_MAX) {
    errors.message = `Message is ${message.length} characters; keep it to ${MESSAGE_MAX} so it fits under the Add to cart button.`;
  } else if (/[<>]/.test(message)) {
    errors.message = "Message cannot contain < or > (it is shown as plain text on the storefront).";
  } else {
    patch.message = message;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (bulk && Object.keys(patch).length === 0) return { ok: false, errors: { form: "Nothing to change: fill in at least one field." } };
  return { ok: true, patch };
}
