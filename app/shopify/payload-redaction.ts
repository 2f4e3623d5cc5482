// customers/redact on webhook payloads still stored in the inbox (events not applied yet,
// rejected or given up): a payload that concerns the customer is rewritten to the fields
// webhook-payloads.ts reads, minus every customer field, so the event can still be applied
// (or retried) and nothing personal stays behind. Numbers are copied as their exact source
// text, so 64-bit ids survive the rewrite digit for digit.
import type { Topic } from "./webhook-payloads.ts";

/** What customers/redact names: the customer, and the orders whose customer is erased. */
export interface RedactionTarget {
  customerId: string | null;
  email: string | null;
  orderIds: ReadonlySet<string>;
}

// JSON.rawJSON / JSON.isRawJSON (Node 22+) are not in TypeScript's ES2023 lib yet.
interface RawJson {
  readonly rawJSON: string;
}
const RAW = JSON as unknown as { rawJSON(text: string): RawJson; isRawJSON(v: unknown): v is RawJson };

/** Parses keeping every number as its source text (a raw JSON value JSON.stringify writes back unchanged). */
export function parseExact(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && context?.source !== undefined ? RAW.rawJSON(context.source) : value,
  );
}

// The kept fields, per topic. `true`: a scalar kept as is; [shape]: an array of shape.
type Shape = true | readonly [Shape] | { readonly [key: string]: Shape };

const LINE_ITEM: Shape = {
  id: true,
  variant_id: true,
  product_id: true,
  name: true,
  title: true,
  sku: true,
  quantity: true,
  current_quantity: true,
  fulfillable_quantity: true,
  price: true,
};
const ORDER: Shape = {
  id: true,
  name: true,
  order_number: true,
  created_at: true,
  updated_at: true,
  cancelled_at: true,
  currency: true,
  customer_locale: true,
  refunds: [{ id: true }],
  fulfillments: [{ id: true }],
  line_items: [LINE_ITEM],
};
const KEPT: Partial<Record<Topic, Shape>> = {
  "orders/create": ORDER,
  "orders/updated": ORDER,
  "orders/cancelled": ORDER,
  "orders/edited": {
    order_edit: { id: true, order_id: true, committed_at: true, created_at: true, line_items: { removals: [{ id: true, delta: true }] } },
  },
  "refunds/create": { id: true, order_id: true, created_at: true, refund_line_items: [{ line_item_id: true, quantity: true }] },
  "fulfillments/create": { id: true, order_id: true, created_at: true, status: true, line_items: [{ id: true, quantity: true }] },
  "customers/data_request": { orders_requested: [true], data_request: { id: true } },
  "customers/redact": { orders_to_redact: [true] },
};

const isScalar = (v: unknown) => v === null || typeof v !== "object" || RAW.isRawJSON(v);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !RAW.isRawJSON(v);

function project(v: unknown, shape: Shape): unknown {
  if (isScalar(v)) return v; // the mapper reports a scalar where it wants more
  if (shape === true) return undefined; // an object where a scalar belongs: dropped, it may hold anything
  if (Array.isArray(shape)) return Array.isArray(v) ? v.map((x) => project(x, shape[0])) : undefined;
  if (!isRecord(v)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(shape)) {
    if (!Object.hasOwn(v, key)) continue;
    const kept = project(v[key], inner);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

/** Digits of an id as the payload wrote it (a number, digits or a gid); null if it is none. */
function idText(v: unknown): string | null {
  const s = RAW.isRawJSON(v) ? v.rawJSON : typeof v === "string" ? v : null;
  return s === null ? null : (/^(?:gid:\/\/shopify\/[A-Za-z]+\/)?(\d+)$/.exec(s)?.[1] ?? null);
}

function ordersNamed(topic: string, p: Record<string, unknown>): unknown[] {
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled":
      return [p.id];
    case "orders/edited":
      return [isRecord(p.order_edit) ? p.order_edit.order_id : null];
    case "customers/data_request":
      return Array.isArray(p.orders_requested) ? p.orders_requested : [];
    case "customers/redact":
      return Array.isArray(p.orders_to_redact) ? p.orders_to_redact : [];
    default:
      return [p.order_id];
  }
}

function holdsEmail(v: unknown, email: string, depth = 0): boolean {
  if (typeof v === "string") return v.toLowerCase() === email;
  if (depth > 64 || v === null || typeof v !== "object" || RAW.isRawJSON(v)) return false;
  return Object.values(v).some((x) => holdsEmail(x, email, depth + 1));
}

/** Does this parsed payload name one of the orders, the customer's id or their email? */
export function concernsCustomer(topic: string, payload: unknown, t: RedactionTarget): boolean {
  if (!isRecord(payload)) return false;
  if (ordersNamed(topic, payload).some((o) => t.orderIds.has(idText(o) ?? ""))) return true;
  if (t.customerId && isRecord(payload.customer) && idText(payload.customer.id) === t.customerId) return true;
  return t.email !== null && holdsEmail(payload, t.email.toLowerCase());
}

/**
 * The payload without the customer, or null when it does not concern them. A payload that
 * cannot be parsed (it can never be applied) or whose topic we cannot reshape loses its
 * whole text when it holds the email or one of the ids.
 */
export function redactPayload(topic: string, text: string, t: RedactionTarget): string | null {
  let parsed: unknown;
  try {
    parsed = parseExact(text);
  } catch {
    return mentions(text, t) ? "" : null;
  }
  if (!concernsCustomer(topic, parsed, t)) return null;
  const shape = KEPT[topic as Topic];
  return shape ? JSON.stringify(project(parsed, shape)) : "";
}

/** A textual match, for text that is not JSON: the email, or an id standing alone as digits. */
function mentions(text: string, t: RedactionTarget): boolean {
  if (t.email && text.toLowerCase().includes(t.email.toLowerCase())) return true;
  const ids = [...t.orderIds, ...(t.customerId ? [t.customerId] : [])];
  return ids.some((id) => new RegExp(`(?<!\\d)${id}(?!\\d)`).test(text));
}

/** Substrings a stored payload about the customer must contain (for a first, coarse SQL filter). */
export function payloadNeedles(t: RedactionTarget): string[] {
  const needles = new Set<string>(t.orderIds);
  if (t.customerId) needles.add(t.customerId);
  if (t.email) {
    needles.add(t.email);
    needles.add(t.email.toLowerCase());
  }
  return [...needles];
}
