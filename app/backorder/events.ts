// Domain events: what the engine understands, independent of Shopify's payload shapes
// (app/shopify/webhook-payloads.ts maps those). Ids are Shopify's numeric ids as strings;
// times are Date.
import type { AdjustmentKind } from "./order-lines.ts";

export interface Customer {
  id: string | null;
  name: string | null;
  email: string | null;
}

export interface OrderLineSnapshot {
  lineItemId: string;
  /** null for custom items (nothing to allocate) */
  variantId: string | null;
  productId: string | null;
  title: string;
  sku: string | null;
  /** Quantity after edits and refunds (Shopify `current_quantity`). */
  quantity: number;
  /** Units still to fulfil (Shopify `fulfillable_quantity`). */
  openQuantity: number;
  unitPrice: string;
}

/** orders/create, orders/updated, orders/cancelled: the whole order as of `updatedAt`. */
export interface OrderSnapshotEvent {
  kind: "order";
  orderId: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
  currency: string;
  customer: Customer | null;
  /** The language the customer shopped in (Shopify's customer_locale, e.g. "fr-CA"), for its emails. */
  customerLocale?: string | null;
  /** Refunds and fulfillments already reflected in the line quantities above. */
  refundIds: string[];
  fulfillmentIds: string[];
  lines: OrderLineSnapshot[];
}

/**
 * refunds/create, fulfillments/create, orders/edited: a change Shopify reports on its own.
 * Counted until an order snapshot that includes it arrives (by id for refunds and
 * fulfillments, by time for edits), so a late or duplicate delta never counts twice.
 */
export interface OrderAdjustmentEvent {
  kind: "adjustment";
  adjustment: AdjustmentKind;
  /** refund, fulfillment or order-edit id */
  id: string;
  orderId: string;
  occurredAt: Date;
  lines: { lineItemId: string; quantity: number }[];
}

export interface InventoryLevelEvent {
  kind: "inventory";
  inventoryItemId: string;
  locationId: string;
  available: number;
  updatedAt: Date;
}

export interface ProductEvent {
  kind: "product";
  productId: string;
  title: string;
  tags: string;
  updatedAt: Date;
  variants: {
    variantId: string;
    title: string;
    sku: string | null;
    inventoryItemId: string | null;
    price: string;
    inventoryPolicy: string;
  }[];
}

/**
 * Where Shopify assigned an order's lines: per line and fulfillment order, its location and the
 * units it holds of the line (remainingQuantity; 0 once closed or moved away), as read from the
 * Admin API after fulfillment_orders/order_routing_complete or /moved (their payloads name the
 * fulfillment orders, not the lines). The newest read of each fulfillment order wins (linePartWins).
 */
export interface LineLocationsEvent {
  kind: "line_locations";
  orderId: string;
  lines: { lineItemId: string; locationId: string; fulfillmentOrderId: string; quantity: number; sourceAt: Date }[];
}

/**
 * fulfillment_orders/order_routing_complete and fulfillment_orders/moved: these fulfillment
 * orders were assigned (or moved) to a location. The payloads name no lines, so the location
 * sync reads each one and brings a LineLocationsEvent.
 */
export interface FulfillmentOrdersAssignedEvent {
  kind: "fulfillment_orders_assigned";
  fulfillmentOrderIds: string[];
}

export interface AppUninstalledEvent {
  kind: "app_uninstalled";
}

/** app/scopes_update: the access scopes the shop has granted the app since `updatedAt`. */
export interface ScopesUpdateEvent {
  kind: "scopes_update";
  scopes: string[];
  updatedAt: Date;
}

export interface CustomerRedactEvent {
  kind: "customer_redact";
  customerId: string | null;
  email: string | null;
  orderIds: string[];
}

export interface CustomerDataRequestEvent {
  kind: "customer_data_request";
  customerId: string | null;
  email: string | null;
  orderIds: string[];
  /** Shopify's data_request.id: the merchant matches the request with Shopify's notice by it. */
  requestId: string | null;
}

export interface ShopRedactEvent {
  kind: "shop_redact";
}

export type DomainEvent =
  | OrderSnapshotEvent
  | OrderAdjustmentEvent
  | InventoryLevelEvent
  | ProductEvent
  | LineLocationsEvent
  | FulfillmentOrdersAssignedEvent
  | AppUninstalledEvent
  | ScopesUpdateEvent
  | CustomerRedactEvent
  | CustomerDataRequestEvent
  | ShopRedactEvent;
