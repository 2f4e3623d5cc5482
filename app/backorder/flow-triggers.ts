// Shopify Flow triggers: which line changes start a merchant's workflow, the key that
// sends each at most once, and the payload, shaped as the trigger extensions under
// extensions/flow-* declare it. Pure: the sync sends, the stand-in checks the shape.
// Why these four and these fields: docs/decisions/0011-flow-triggers.md.
import { LINE_STATE } from "./line-state.ts";

export const FLOW_TRIGGERS = {
  created: "backorder-created",
  shipDateChanged: "ship-date-changed",
  ready: "ready-to-ship",
  cancelled: "backorder-cancelled",
} as const;

export type FlowTriggerHandle = (typeof FLOW_TRIGGERS)[keyof typeof FLOW_TRIGGERS];

const HANDLES = new Set<string>(Object.values(FLOW_TRIGGERS));

/** The extensions' `name`s, as merchants see them in Flow (a unit test keeps them equal to the TOML). */
export const FLOW_TRIGGER_NAMES: Record<FlowTriggerHandle, string> = {
  [FLOW_TRIGGERS.created]: "Backorder created",
  [FLOW_TRIGGERS.shipDateChanged]: "Backorder ship date changed",
  [FLOW_TRIGGERS.ready]: "Backorder ready to ship",
  [FLOW_TRIGGERS.cancelled]: "Backorder cancelled",
};

/**
 * The trigger a Flow lifecycle callback is about. Flow names it `flow_trigger_definition_id`;
 * Shopify's documented example of that value is a trigger's title, so either the handle or
 * the name is recognised. Null: not one of ours.
 */
export function handleOfDefinition(id: string): FlowTriggerHandle | null {
  if (HANDLES.has(id)) return id as FlowTriggerHandle;
  const byName = Object.entries(FLOW_TRIGGER_NAMES).find(([, name]) => name === id);
  return byName ? (byName[0] as FlowTriggerHandle) : null;
}

/** One trigger for one line on one day: the idempotency key (a SyncTask's targetId). */
export interface FlowKey {
  handle: FlowTriggerHandle;
  lineItemId: string;
  /** YYYY-MM-DD: the new ship date, or the shop-local day of the change. */
  date: string;
}

export const flowKeyId = (k: FlowKey): string => `${k.handle}|${k.lineItemId}|${k.date}`;

export function parseFlowKey(id: string): FlowKey | null {
  const [handle, lineItemId, date, extra] = id.split("|");
  if (extra !== undefined || !handle || !lineItemId || !date || !HANDLES.has(handle)) return null;
  return { handle: handle as FlowTriggerHandle, lineItemId, date };
}

/** A derived change of a line, as recompute writes it. */
export interface LineTransition {
  lineItemId: string;
  fromState: string | null;
  toState: string;
  /** The line is short of stock for the first time (its backorderedAt is set now). */
  firstBackordered: boolean;
  /** Shop-local day of the event that caused the change. */
  day: string;
}

/**
 * The triggers a change starts. "Ready" and "cancelled" are about lines that were
 * waiting: an order that never lacked stock is not a backorder, and Shopify's own
 * triggers already cover it.
 */
export function triggersOf(t: LineTransition): FlowKey[] {
  const keys: FlowKey[] = [];
  const key = (handle: FlowTriggerHandle) => keys.push({ handle, lineItemId: t.lineItemId, date: t.day });
  if (t.firstBackordered && t.toState === LINE_STATE.waiting) key(FLOW_TRIGGERS.created);
  if (t.fromState === LINE_STATE.waiting && t.toState === LINE_STATE.allocated) key(FLOW_TRIGGERS.ready);
  if (t.fromState === LINE_STATE.waiting && t.toState === LINE_STATE.cancelled) key(FLOW_TRIGGERS.cancelled);
  return keys;
}

/** What a payload is made of: the line as the app stores it. */
export interface FlowLineFacts {
  orderId: string;
  orderName: string;
  orderedAt: Date;
  customerId: string | null;
  productId: string | null;
  variantId: string;
  title: string;
  openQuantity: number;
  waitingQuantity: number;
  /** The line's promised ship date now (YYYY-MM-DD), null when it has none. */
  shipDate: string | null;
}

export type FlowPayload = Record<string, string | number>;

/** Flow's reference fields carry the object's numeric id (order_id, customer_id, product_id). */
function referenceId(id: string | null): number | null {
  if (!id) return null;
  const digits = id.slice(id.lastIndexOf("/") + 1);
  if (!/^\d{1,19}$/.test(digits)) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : null;
}

const cap = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

/**
 * The payload of a trigger, or why it cannot be sent: Flow's reference fields need the
 * order, customer and product (an order without a customer, a line whose product was
 * deleted); a ship-date trigger needs a date.
 */
export function flowPayload(key: FlowKey, line: FlowLineFacts): { payload: FlowPayload } | { skip: string } {
  const order = referenceId(line.orderId);
  const customer = referenceId(line.customerId);
  const product = referenceId(line.productId);
  if (order === null) return { skip: `order ${line.orderId} has no id Flow can reference` };
  if (customer === null) return { skip: `order ${line.orderName} has no customer for Flow's customer reference` };
  if (product === null) return { skip: `the line of order ${line.orderName} has no product for Flow's product reference` };
  const payload: FlowPayload = {
    order_id: order,
    customer_id: customer,
    product_id: product,
    "Variant ID": line.variantId.startsWith("gid://") ? line.variantId : `gid://shopify/ProductVariant/${line.variantId}`,
    "Order name": cap(line.orderName, 255),
    "Item title": cap(line.title, 512),
    "Quantity ordered": line.openQuantity,
    "Quantity waiting": line.waitingQuantity,
    "Ordered at": line.orderedAt.toISOString(),
  };
  switch (key.handle) {
    case FLOW_TRIGGERS.created:
      // The date promised when the line became a backorder; a line with no date yet says so.
      payload["Ship date"] = line.shipDate ?? "";
      break;
    case FLOW_TRIGGERS.shipDateChanged:
      payload["Ship date"] = key.date;
      break;
    case FLOW_TRIGGERS.ready:
      payload["Ready on"] = key.date;
      break;
    case FLOW_TRIGGERS.cancelled:
      payload["Cancelled on"] = key.date;
      break;
  }
  return { payload };
}

/**
 * Lines whose promised date moved: the ship-date trigger for each, keyed by the new date.
 * A line with no date before gets none (the "created" trigger carried its first date).
 */
export function shipDateChanges(lines: { lineItemId: string; before: string | null; now: string | null }[]): FlowKey[] {
  return lines
    .filter((l) => l.before !== null && l.now !== null && l.before !== l.now)
    .map((l) => ({ handle: FLOW_TRIGGERS.shipDateChanged, lineItemId: l.lineItemId, date: l.now! }));
}
