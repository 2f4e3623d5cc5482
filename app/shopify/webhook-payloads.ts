// Maps Shopify webhook payloads (REST JSON shapes) to domain events. A payload that
// lacks what we need is rejected here, at the door, so nothing malformed is stored.
import type {
  Customer,
  DomainEvent,
  OrderAdjustmentEvent,
  OrderLineSnapshot,
  OrderSnapshotEvent,
} from "../backorder/events.ts";

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
  "app/uninstalled",
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

function id(v: unknown, what: string): string {
  if (typeof v === "number" && Number.isInteger(v) && v > 0) return String(v);
  if (typeof v === "string" && /^\d+$/.test(v)) return v;
  // Admin GraphQL ids (gid://shopify/Order/1) appear in some payloads.
  if (typeof v === "string") {
    const m = /^gid:\/\/shopify\/\w+\/(\d+)$/.exec(v);
    if (m) return m[1]!;
  }
  throw new PayloadError(`${what} must be a Shopify id, got ${JSON.stringify(v)}`);
}

const optId = (v: unknown, what: string): string | null => (v === null || v === undefined ? null : id(v, what));

function date(v: unknown, what: string): Date {
  const d = typeof v === "string" ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw new PayloadError(`${what} must be an ISO date, got ${JSON.stringify(v)}`);
  return d;
}

const optDate = (v: unknown, what: string): Date | null => (v === null || v === undefined ? null : date(v, what));

function int(v: unknown, what: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  throw new PayloadError(`${what} must be an integer, got ${JSON.stringify(v)}`);
}

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new PayloadError(`${what} must be an array`);
  return v;
}

const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : v === null || v === undefined ? fallback : String(v));
const optStr = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

function customerOf(order: Json): Customer | null {
  const c = isObj(order.customer) ? order.customer : null;
  if (!c && !order.email) return null;
  const name = c ? [str(c.first_name), str(c.last_name)].filter(Boolean).join(" ") : "";
  return {
    id: c ? optId(c.id, "customer.id") : null,
    name: name || null,
    email: optStr(c?.email) ?? optStr(order.email),
  };
}

function orderLine(v: unknown, i: number): OrderLineSnapshot {
  const l = obj(v, `line_items[${i}]`);
  const quantity = int(l.quantity, `line_items[${i}].quantity`);
  const current = l.current_quantity === undefined ? quantity : int(l.current_quantity, `line_items[${i}].current_quantity`);
  const open =
    l.fulfillable_quantity === undefined ? current : int(l.fulfillable_quantity, `line_items[${i}].fulfillable_quantity`);
  return {
    lineItemId: id(l.id, `line_items[${i}].id`),
    variantId: optId(l.variant_id, `line_items[${i}].variant_id`),
    productId: optId(l.product_id, `line_items[${i}].product_id`),
    title: str(l.name, str(l.title)),
    sku: optStr(l.sku),
    quantity: current,
    openQuantity: open,
    unitPrice: str(l.price, "0"),
  };
}

function orderSnapshot(p: Json): OrderSnapshotEvent {
  const idsOf = (v: unknown, what: string) =>
    v === undefined ? [] : arr(v, what).map((x, i) => id(obj(x, `${what}[${i}]`).id, `${what}[${i}].id`));
  const fulfillments = p.fulfillments === undefined ? [] : arr(p.fulfillments, "fulfillments");
  return {
    kind: "order",
    orderId: id(p.id, "id"),
    name: str(p.name, `#${str(p.order_number)}`),
    createdAt: date(p.created_at, "created_at"),
    updatedAt: date(p.updated_at, "updated_at"),
    cancelledAt: optDate(p.cancelled_at, "cancelled_at"),
    currency: str(p.currency, "USD"),
    customer: customerOf(p),
    refundIds: idsOf(p.refunds, "refunds"),
    fulfillmentIds: fulfillments.map((f, i) => id(obj(f, `fulfillments[${i}]`).id, `fulfillments[${i}].id`)),
    lines: arr(p.line_items, "line_items").map(orderLine),
  };
}

function refund(p: Json): OrderAdjustmentEvent {
  return {
    kind: "adjustment",
    adjustment: "refund",
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
  const status = str(p.status);
  return {
    kind: "adjustment",
    adjustment: "fulfillment",
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
    adjustment: "edit",
    id: id(e.id, "order_edit.id"),
    orderId: id(e.order_id, "order_edit.order_id"),
    occurredAt: date(e.committed_at ?? e.created_at, "order_edit.committed_at"),
    lines: arr(items.removals ?? [], "order_edit.line_items.removals").map((v, i) => {
      const r = obj(v, `removals[${i}]`);
      return { lineItemId: id(r.id, `removals[${i}].id`), quantity: int(r.delta, `removals[${i}].delta`) };
    }),
  };
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
        available: p.available === null ? 0 : int(p.available, "available"),
        updatedAt: date(p.updated_at, "updated_at"),
      };
    case "products/create":
    case "products/update":
      return {
        kind: "product",
        productId: id(p.id, "id"),
        title: str(p.title),
        tags: str(p.tags),
        updatedAt: date(p.updated_at, "updated_at"),
        variants: arr(p.variants, "variants").map((v, i) => {
          const x = obj(v, `variants[${i}]`);
          return {
            variantId: id(x.id, `variants[${i}].id`),
            title: str(x.title),
            sku: optStr(x.sku),
            inventoryItemId: optId(x.inventory_item_id, `variants[${i}].inventory_item_id`),
            price: str(x.price, "0"),
            inventoryPolicy: str(x.inventory_policy, "deny"),
          };
        }),
      };
    case "app/uninstalled":
      return { kind: "app_uninstalled" };
    case "customers/redact": {
      const c = isObj(p.customer) ? p.customer : {};
      return {
        kind: "customer_redact",
        customerId: optId(c.id, "customer.id"),
        email: optStr(c.email),
        orderIds: redactIds(p, "orders_to_redact"),
      };
    }
    case "customers/data_request": {
      const c = isObj(p.customer) ? p.customer : {};
      return {
        kind: "customer_data_request",
        customerId: optId(c.id, "customer.id"),
        email: optStr(c.email),
        orderIds: redactIds(p, "orders_requested"),
      };
    }
    case "shop/redact":
      return { kind: "shop_redact" };
  }
}
