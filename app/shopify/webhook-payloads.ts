// Maps Shopify webhook payloads (REST JSON shapes) to domain events. A payload that lacks
// what we need, or holds a value out of bounds, throws PayloadError naming the field.
// The fields read here are the ones payload-redaction.ts keeps when it strips a customer
// from a stored payload: a field added here must be added there.
import type { Customer, DomainEvent, OrderAdjustmentEvent, OrderLineSnapshot, OrderSnapshotEvent } from "../backorder/events.ts";
import { ADJUSTMENT_KIND } from "../backorder/order-lines.ts";

export class PayloadError extends Error {
  override name = "PayloadError";
}

export const TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/cancelled",
  "orders/edited",
  "refunds/create",
  "fulfillments/create",
  "inventory_levels/update",
  "products/create",
  "products/update",
  "fulfillment_orders/order_routing_complete",
  "fulfillment_orders/moved",
  "app/uninstalled",
  "app/scopes_update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
] as const;
export type Topic = (typeof TOPICS)[number];

const BY_STORAGE_NAME = new Map<string, Topic>(TOPICS.map((t) => [t.toUpperCase().replace("/", "_"), t]));

/** "ORDERS_CREATE" (shopify-api's storage form) or "orders/create" -> "orders/create"; null if not ours. */
export function normalizeTopic(raw: string): Topic | null {
  if ((TOPICS as readonly string[]).includes(raw)) return raw as Topic;
  return BY_STORAGE_NAME.get(raw.toUpperCase()) ?? null;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function obj(v: unknown, what: string): Json {
  if (!isObj(v)) throw new PayloadError(`${what} must be an object`);
  return v;
}

// Bounds, checked here so a value out of range is rejected with its reason rather than
// fail in the database, again on every retry (docs/decisions/0002-inbox-and-worker.md). Shopify ids are 64-bit: the worker's parser hands ids
// beyond 2^53 over as exact digit strings, so a JS number that is not a safe integer has
// already lost digits and could name another order: refused, never rounded.
const MAX_ID = 9223372036854775807n;
export const MAX_QUANTITY = 1_000_000_000;
const MIN_YEAR = 1970;
const MAX_YEAR = 2200;

function digitsId(digits: string): string | null {
  return /^[1-9]\d{0,18}$/.test(digits) && BigInt(digits) <= MAX_ID ? digits : null;
}

function id(v: unknown, what: string): string {
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return String(v);
  if (typeof v === "number" && Number.isInteger(v) && v > 0) {
    throw new PayloadError(`${what} ${JSON.stringify(v)} is beyond 2^53 and was not kept exact (send it as digits)`);
  }
  if (typeof v === "string") {
    // Admin GraphQL ids (gid://shopify/Order/1) appear in some payloads.
    const digits = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)$/.exec(v)?.[1] ?? v;
    const ok = digitsId(digits);
    if (ok) return ok;
  }
  throw new PayloadError(`${what} must be a Shopify id (1 to 19 digits, at most 2^63-1), got ${preview(v)}`);
}

const optId = (v: unknown, what: string): string | null => (v === null || v === undefined ? null : id(v, what));

function lenientId(v: unknown): string | null {
  try {
    return optId(v, "id");
  } catch {
    return null;
  }
}

// A date alone is midnight UTC; a time needs its zone (without one, JS would read it in the server's).
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** A real calendar date (no 30 February) in ISO 8601 form, years 1970..2200. */
function date(v: unknown, what: string): Date {
  const m = typeof v === "string" ? ISO_DATE.exec(v) : null;
  const d = m ? new Date(v as string) : null;
  const [y, mo, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const calendar = new Date(Date.UTC(y, mo - 1, day));
  const real =
    d !== null &&
    !Number.isNaN(d.getTime()) &&
    calendar.getUTCMonth() === mo - 1 &&
    calendar.getUTCDate() === day &&
    Number(m?.[4] ?? 0) < 24 &&
    Number(m?.[5] ?? 0) < 60 &&
    Number(m?.[6] ?? 0) < 60;
  if (!real || y < MIN_YEAR || y > MAX_YEAR) {
    throw new PayloadError(`${what} must be an ISO date between ${MIN_YEAR} and ${MAX_YEAR}, got ${preview(v)}`);
  }
  return d;
}

const optDate = (v: unknown, what: string): Date | null => (v === null || v === undefined ? null : date(v, what));

/** An integer in min..max: 1e300, 3e9, 1.5, "7" and numbers the parser kept as digit strings are refused. */
function int(v: unknown, what: string, min = 0, max = MAX_QUANTITY): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new PayloadError(`${what} must be an integer, got ${preview(v)}`);
  if (v < min || v > max) throw new PayloadError(`${what} must be from ${min} to ${max}, got ${preview(v)}`);
  return v;
}

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new PayloadError(`${what} must be an array`);
  return v;
}

/** The start of a bad value for an error message (a 20 MB string must not become the error). */
function preview(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object" && v !== null) return "an object";
  return v === undefined ? "nothing" : String(v);
}

// Free text we store is capped rather than refused: a long title is not a reason to lose an order.
export const TEXT_LIMITS = { title: 512, name: 255, sku: 255, email: 320, currency: 16, locale: 32, policy: 32, tags: 65_535 } as const;

function cap(s: string, max: number): string {
  if (s.length <= max) return s;
  // Never end on half of a surrogate pair.
  const cut = /[\uD800-\uDBFF]/.test(s[max - 2] ?? "") ? max - 2 : max - 1;
  return `${s.slice(0, cut)}…`;
}

const text = (v: unknown, max: number, fallback = ""): string =>
  cap(typeof v === "string" ? v : v === null || v === undefined || typeof v === "object" ? fallback : String(v), max);
const optText = (v: unknown, max: number): string | null => (typeof v === "string" && v !== "" ? cap(v, max) : null);

/** Tags are cut at a comma, so no tag is stored half (an auto-enable tag must match whole). */
function tags(v: unknown): string {
  const s = text(v, Number.MAX_SAFE_INTEGER);
  if (s.length <= TEXT_LIMITS.tags) return s;
  const cut = s.lastIndexOf(",", TEXT_LIMITS.tags);
  return cut > 0 ? s.slice(0, cut) : "";
}

// Prices are summed by the dashboard as DECIMAL(18,4): anything else would break it for the shop.
function price(v: unknown, what: string): string {
  if (v === null || v === undefined) return "0";
  const s = typeof v === "number" && Number.isFinite(v) && v >= 0 ? String(v) : v;
  if (typeof s === "string" && /^\d{1,14}(?:\.\d{1,10})?$/.test(s)) return s;
  throw new PayloadError(`${what} must be a decimal amount below 10^14, got ${preview(v)}`);
}

function customerOf(order: Json): Customer | null {
  const c = isObj(order.customer) ? order.customer : null;
  if (!c && !order.email) return null;
  const name = c
    ? cap([text(c.first_name, TEXT_LIMITS.name), text(c.last_name, TEXT_LIMITS.name)].filter(Boolean).join(" "), TEXT_LIMITS.name)
    : "";
  return {
    id: c ? optId(c.id, "customer.id") : null,
    name: name || null,
    email: optText(c?.email, TEXT_LIMITS.email) ?? optText(order.email, TEXT_LIMITS.email),
  };
}

function orderLine(v: unknown, i: number): OrderLineSnapshot {
  const l = obj(v, `line_items[${i}]`);
  const quantity = int(l.quantity, `line_items[${i}].quantity`);
  const current = l.current_quantity === undefined ? quantity : int(l.current_quantity, `line_items[${i}].current_quantity`);
  const open = l.fulfillable_quantity === undefined ? current : int(l.fulfillable_quantity, `line_items[${i}].fulfillable_quantity`);
  return {
    lineItemId: id(l.id, `line_items[${i}].id`),
    variantId: optId(l.variant_id, `line_items[${i}].variant_id`),
    productId: optId(l.product_id, `line_items[${i}].product_id`),
    title: text(l.name, TEXT_LIMITS.title, text(l.title, TEXT_LIMITS.title)),
    sku: optText(l.sku, TEXT_LIMITS.sku),
    quantity: current,
    openQuantity: open,
    unitPrice: price(l.price, `line_items[${i}].price`),
  };
}

function orderSnapshot(p: Json): OrderSnapshotEvent {
  const idsOf = (v: unknown, what: string) =>
    v === undefined ? [] : arr(v, what).map((x, i) => id(obj(x, `${what}[${i}]`).id, `${what}[${i}].id`));
  const fulfillments = p.fulfillments === undefined ? [] : arr(p.fulfillments, "fulfillments");
  return {
    kind: "order",
    orderId: id(p.id, "id"),
    name: text(p.name, TEXT_LIMITS.name, `#${text(p.order_number, TEXT_LIMITS.name)}`),
    createdAt: date(p.created_at, "created_at"),
    updatedAt: date(p.updated_at, "updated_at"),
    cancelledAt: optDate(p.cancelled_at, "cancelled_at"),
    currency: text(p.currency, TEXT_LIMITS.currency, "USD"),
    customer: customerOf(p),
    customerLocale: optText(p.customer_locale, TEXT_LIMITS.locale),
    refundIds: idsOf(p.refunds, "refunds"),
    fulfillmentIds: fulfillments.map((f, i) => id(obj(f, `fulfillments[${i}]`).id, `fulfillments[${i}].id`)),
    lines: arr(p.line_items, "line_items").map(orderLine),
  };
}

function refund(p: Json): OrderAdjustmentEvent {
  return {
    kind: "adjustment",
    adjustment: ADJUSTMENT_KIND.refund,
    id: id(p.id, "id"),
    orderId: id(p.order_id, "order_id"),
    occurredAt: date(p.created_at, "created_at"),
    lines: arr(p.refund_line_items ?? [], "refund_line_items").map((v, i) => {
      const r = obj(v, `refund_line_items[${i}]`);
      return {
        lineItemId: id(r.line_item_id, `refund_line_items[${i}].line_item_id`),
        quantity: int(r.quantity, `refund_line_items[${i}].quantity`),
      };
    }),
  };
}

const VOID_FULFILLMENT = new Set(["cancelled", "error", "failure"]);

function fulfillment(p: Json): OrderAdjustmentEvent {
  const status = text(p.status, TEXT_LIMITS.policy);
  return {
    kind: "adjustment",
    adjustment: ADJUSTMENT_KIND.fulfillment,
    id: id(p.id, "id"),
    orderId: id(p.order_id, "order_id"),
    occurredAt: date(p.created_at, "created_at"),
    lines: VOID_FULFILLMENT.has(status)
      ? []
      : arr(p.line_items, "line_items").map((v, i) => {
          const l = obj(v, `line_items[${i}]`);
          return { lineItemId: id(l.id, `line_items[${i}].id`), quantity: int(l.quantity, `line_items[${i}].quantity`) };
        }),
  };
}

function orderEdit(p: Json): OrderAdjustmentEvent {
  const e = obj(p.order_edit, "order_edit");
  const items = isObj(e.line_items) ? e.line_items : {};
  // Additions name new line items we cannot price or place yet; the orders/updated
  // that Shopify sends with every edit brings them. Removals we can apply now.
  return {
    kind: "adjustment",
    adjustment: ADJUSTMENT_KIND.edit,
    id: id(e.id, "order_edit.id"),
    orderId: id(e.order_id, "order_edit.order_id"),
    occurredAt: date(e.committed_at ?? e.created_at, "order_edit.committed_at"),
    lines: arr(items.removals ?? [], "order_edit.line_items.removals").map((v, i) => {
      const r = obj(v, `removals[${i}]`);
      return { lineItemId: id(r.id, `removals[${i}].id`), quantity: int(r.delta, `removals[${i}].delta`) };
    }),
  };
}

/** Access scope names as Shopify writes them (read_orders, unauthenticated_read_product_listings). */
const SCOPE = /^[a-z][a-z0-9_]{0,99}$/;
const MAX_SCOPES = 500;

function scopeList(v: unknown, what: string): string[] {
  const list = arr(v, what);
  if (list.length > MAX_SCOPES) throw new PayloadError(`${what} must list at most ${MAX_SCOPES} scopes, got ${list.length}`);
  return list.map((s, i) => {
    if (typeof s !== "string" || !SCOPE.test(s)) throw new PayloadError(`${what}[${i}] must be an access scope name, got ${preview(s)}`);
    return s;
  });
}

function redactIds(p: Json, key: string): string[] {
  return p[key] === undefined ? [] : arr(p[key], key).map((x, i) => id(x, `${key}[${i}]`));
}

export function toDomainEvent(topic: Topic, payload: unknown): DomainEvent {
  const p = obj(payload, "payload");
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled":
      return orderSnapshot(p);
    case "orders/edited":
      return orderEdit(p);
    case "refunds/create":
      return refund(p);
    case "fulfillments/create":
      return fulfillment(p);
    case "inventory_levels/update":
      return {
        kind: "inventory",
        inventoryItemId: id(p.inventory_item_id, "inventory_item_id"),
        locationId: id(p.location_id, "location_id"),
        // null available: the item stopped being tracked; treat as no shortage.
        available: p.available === null ? 0 : int(p.available, "available", -MAX_QUANTITY, MAX_QUANTITY),
        updatedAt: date(p.updated_at, "updated_at"),
      };
    case "products/create":
    case "products/update":
      return {
        kind: "product",
        productId: id(p.id, "id"),
        title: text(p.title, TEXT_LIMITS.title),
        tags: tags(p.tags),
        updatedAt: date(p.updated_at, "updated_at"),
        variants: arr(p.variants, "variants").map((v, i) => {
          const x = obj(v, `variants[${i}]`);
          return {
            variantId: id(x.id, `variants[${i}].id`),
            title: text(x.title, TEXT_LIMITS.title),
            sku: optText(x.sku, TEXT_LIMITS.sku),
            inventoryItemId: optId(x.inventory_item_id, `variants[${i}].inventory_item_id`),
            price: price(x.price, `variants[${i}].price`),
            inventoryPolicy: text(x.inventory_policy, TEXT_LIMITS.policy, "deny"),
          };
        }),
      };
    case "fulfillment_orders/order_routing_complete":
      // { fulfillment_order: { id: "gid://shopify/FulfillmentOrder/1", status } }: no lines, no location.
      return {
        kind: "fulfillment_orders_assigned",
        fulfillmentOrderIds: [id(obj(p.fulfillment_order, "fulfillment_order").id, "fulfillment_order.id")],
      };
    case "fulfillment_orders/moved": {
      // { original_fulfillment_order, moved_fulfillment_order, destination_location_id, ... }: both
      // are read again (a partial move leaves lines on the original; a whole move reassigns it).
      const original = id(obj(p.original_fulfillment_order, "original_fulfillment_order").id, "original_fulfillment_order.id");
      const moved = isObj(p.moved_fulfillment_order) ? optId(p.moved_fulfillment_order.id, "moved_fulfillment_order.id") : null;
      return { kind: "fulfillment_orders_assigned", fulfillmentOrderIds: [...new Set([original, ...(moved ? [moved] : [])])] };
    }
    case "app/uninstalled":
      return { kind: "app_uninstalled" };
    case "app/scopes_update":
      // { id, previous: [...], current: [...], updated_at } (shopify.dev changelog, 2024-10): only the scopes granted now count.
      return { kind: "scopes_update", scopes: [...new Set(scopeList(p.current, "current"))], updatedAt: date(p.updated_at, "updated_at") };
    case "customers/redact": {
      const c = isObj(p.customer) ? p.customer : {};
      return {
        kind: "customer_redact",
        customerId: optId(c.id, "customer.id"),
        email: optText(c.email, TEXT_LIMITS.email),
        orderIds: redactIds(p, "orders_to_redact"),
      };
    }
    case "customers/data_request": {
      const c = isObj(p.customer) ? p.customer : {};
      return {
        kind: "customer_data_request",
        customerId: optId(c.id, "customer.id"),
        email: optText(c.email, TEXT_LIMITS.email),
        orderIds: redactIds(p, "orders_requested"),
        // Only a reference for the merchant: a malformed one must not cost them the request.
        requestId: isObj(p.data_request) ? lenientId(p.data_request.id) : null,
      };
    }
    case "shop/redact":
      return { kind: "shop_redact" };
  }
}
