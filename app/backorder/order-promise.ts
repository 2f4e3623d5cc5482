import { LINE_STATE, type LineState } from "./line-state.ts";

// Contract between the sync and the checkout UI extension (extensions/order-promise): what an
// order's `$app.backorder_promise` metafield holds, so the customer's Order status page shows
// each backordered line's CURRENT promised date, the one the emails give (BackorderLine's
// promisedShipDate, kept by the variant sync). See docs/decisions/0020-order-promise.md.

/**
 * The app-owned order metafield, declared in shopify.app.toml as
 * `[order.metafields.app.backorder_promise]` with customer-account read access (the Order
 * status page reads it through the extension's `appMetafields`).
 */
export const ORDER_PROMISE_METAFIELD = {
  namespace: "$app",
  key: "backorder_promise",
  type: "json",
} as const;

/** What a line of the promise says: still waiting for stock, or covered and about to ship. */
export const PROMISE_LINE_STATE = {
  waiting: LINE_STATE.waiting,
  ready: "ready",
} as const;
export type PromiseLineState = (typeof PROMISE_LINE_STATE)[keyof typeof PROMISE_LINE_STATE];

export interface OrderPromiseLine {
  /** The order line's REST id (the LineItem GID's last part). */
  id: string;
  title: string;
  /** Units of the line still waiting (waiting), or the open units now covered by stock (ready). */
  quantity: number;
  /** Promised ship date, YYYY-MM-DD in the shop's time zone; null: no date yet (no restock planned). */
  date: string | null;
  state: PromiseLineState;
}

export interface OrderPromise {
  v: 1;
  lines: OrderPromiseLine[];
}

/** A backorder line of the order, as the queue holds it. */
export interface PromiseLineFacts {
  lineItemId: string;
  title: string;
  state: string;
  waitingQuantity: number;
  openQuantity: number;
  /** The date the emails give (BackorderLine.promisedShipDate). */
  promisedShipDate: string | null;
  /** When the line first went short of stock; null: never backordered. */
  backorderedAt: Date | null;
}

const byLineId = (a: { id: string }, b: { id: string }) => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The order's promise, or null when nothing of it waits any more (the metafield goes).
 * Waiting lines carry their units still short and their date; lines that were backordered
 * and are now covered show as ready, so a partly restocked order says which part ships.
 * Lines in id order: equal facts give the same JSON, so an unchanged value is not pushed again.
 */
export function orderPromise(lines: readonly PromiseLineFacts[]): OrderPromise | null {
  const waiting = lines.filter((l) => l.state === LINE_STATE.waiting && l.waitingQuantity > 0);
  if (waiting.length === 0) return null;
  const ready = lines.filter(
    (l) => l.state === (LINE_STATE.allocated satisfies LineState) && l.backorderedAt !== null && l.openQuantity > 0,
  );
  const out: OrderPromiseLine[] = [
    ...waiting.map((l) => ({
      id: l.lineItemId,
      title: l.title,
      quantity: l.waitingQuantity,
      date: l.promisedShipDate,
      state: PROMISE_LINE_STATE.waiting,
    })),
    ...ready.map((l) => ({ id: l.lineItemId, title: l.title, quantity: l.openQuantity, date: null, state: PROMISE_LINE_STATE.ready })),
  ];
  return { v: 1, lines: out.sort(byLineId) };
}

/** The metafield's value as written (and remembered in SyncedOrder.promiseValue); null: delete it. */
export const orderPromiseValue = (lines: readonly PromiseLineFacts[]): string | null => {
  const promise = orderPromise(lines);
  return promise ? JSON.stringify(promise) : null;
};
