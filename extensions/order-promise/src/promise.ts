// What the block lists, from the two sources it has: the order's `$app.backorder_promise`
// metafield (Order status page) and the cart lines' `Backorder ships` property that the product
// page froze at add-to-cart (Thank you page, where the order metafield cannot be read).
// Plain functions, so the tests run them against the sync's own output.
import type { OrderPromise } from "../../../app/backorder/order-promise.ts";

/** The metafield, as named in shopify.extension.toml (and ORDER_PROMISE_METAFIELD). */
export const PROMISE_METAFIELD = { namespace: "$app", key: "backorder_promise" } as const;
/** The line item property the product page writes (the theme extension's `property_name`). */
export const SHIP_DATE_PROPERTY = "Backorder ships";

export type PromiseRowState = "waiting" | "ready";

export interface PromiseRow {
  title: string;
  quantity: number;
  /** YYYY-MM-DD; null: no date yet. */
  date: string | null;
  state: PromiseRowState;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isDate = (v: unknown): v is string => typeof v === "string" && DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

/** The metafield's value (JSON text, or already parsed) as rows; anything unreadable shows nothing. */
export function rowsFromPromise(value: unknown): PromiseRow[] {
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return [];
    }
  }
  const promise = parsed as Partial<OrderPromise> | null;
  if (!promise || promise.v !== 1 || !Array.isArray(promise.lines)) return [];
  return promise.lines.flatMap((l) => {
    if (!l || typeof l.title !== "string" || typeof l.quantity !== "number" || l.quantity <= 0) return [];
    const state: PromiseRowState = l.state === "ready" ? "ready" : "waiting";
    return [{ title: l.title, quantity: l.quantity, date: state === "waiting" && isDate(l.date) ? l.date : null, state }];
  });
}

export interface MetafieldEntryLike {
  target?: { type?: string };
  metafield: { namespace: string; key: string; value: unknown };
}

/** The order's promise among the app metafields the Order status page gives the extension. */
export function rowsFromAppMetafields(entries: readonly MetafieldEntryLike[] | undefined): PromiseRow[] {
  const entry = (entries ?? []).find(
    (e) => e.metafield.key === PROMISE_METAFIELD.key && (e.target?.type === undefined || e.target.type === "order"),
  );
  return entry ? rowsFromPromise(entry.metafield.value) : [];
}

export interface CartLineLike {
  quantity: number;
  merchandise: { title: string; subtitle?: string };
  attributes: readonly { key: string; value: string }[];
}

/** Thank you page: the lines that were sold on backorder, with the date shown when they were added to the cart. */
export function rowsFromCartLines(lines: readonly CartLineLike[] | undefined): PromiseRow[] {
  return (lines ?? []).flatMap((l) => {
    const date = l.attributes.find((a) => a.key === SHIP_DATE_PROPERTY)?.value.trim();
    if (date === undefined) return [];
    return [{ title: l.merchandise.title, quantity: l.quantity, date: isDate(date) ? date : null, state: "waiting" as const }];
  });
}
