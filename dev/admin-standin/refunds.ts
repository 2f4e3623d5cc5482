// Refunds as the Admin API documents them (2026-10): `order.suggestedRefund` says what to pay
// back for some line items, `refundCreate` refunds them, restocking as each line asks.
// Modelled: one SALE transaction per order (its lines' prices, no tax, shipping or
// discounts), restockType CANCEL (unfulfilled units: they leave the fulfillment orders and
// return to stock at the location), NO_RESTOCK, RETURN (fulfilled units; the stand-in fulfils
// nothing, so it is refused as Shopify refuses returning what was not shipped), and the
// idempotency key that refundCreate requires since 2026-04 (the same key gives the same refund).
import { type StandinOrder, type StandinRefund, type StandinShop } from "./state.ts";

export interface RefundLineInput {
  lineItemId: string;
  quantity: number;
  restockType?: string;
  locationId?: string | null;
}
export interface RefundInput {
  orderId: string;
  note?: string | null;
  notify?: boolean;
  currency?: string;
  refundLineItems?: RefundLineInput[];
  transactions?: { orderId: string; parentId?: string | null; gateway: string; kind: string; amount: string }[];
}
export interface RefundUserError {
  field: string[];
  message: string;
}

const money = (cents: number) => (cents / 100).toFixed(2);
const cents = (amount: string) => Math.round(Number(amount) * 100);

/** Units of a line not refunded yet and not shipped: what restockType CANCEL may take. */
function unfulfilled(shop: StandinShop, order: StandinOrder, lineItemId: string): number {
  return shop
    .fulfillmentOrdersOf(order.id)
    .flatMap((fo) => fo.lineItems.filter((l) => l.lineItemId === lineItemId))
    .reduce((sum, l) => sum + l.remainingQuantity, 0);
}

/** What the order's SALE may still give back (its total less what refunds took). */
export function refundable(order: StandinOrder): number {
  const paid = order.lineItems.reduce((s, l) => s + cents(l.price) * l.quantity, 0);
  const back = order.refunds.flatMap((r) => r.transactions).reduce((s, t) => s + cents(t.amount), 0);
  return paid - back;
}

/** The lines' prices times the quantities; errors for lines not on the order or quantities it has not got. */
export function lineRefundErrors(order: StandinOrder, lines: RefundLineInput[]): RefundUserError[] {
  const errors: RefundUserError[] = [];
  lines.forEach((l, i) => {
    const line = order.lineItems.find((x) => x.id === l.lineItemId);
    const field = ["refundLineItems", String(i)];
    if (!line) errors.push({ field: [...field, "lineItemId"], message: "Line item does not exist" });
    else if (l.quantity <= 0) errors.push({ field: [...field, "quantity"], message: "Quantity must be greater than 0" });
    else if (l.quantity > line.quantity - line.refunded)
      errors.push({ field: [...field, "quantity"], message: `Quantity cannot refund more items than were purchased` });
  });
  return errors;
}

export function suggestedAmount(order: StandinOrder, lines: RefundLineInput[]): number {
  return lines.reduce((s, l) => s + cents(order.lineItems.find((x) => x.id === l.lineItemId)?.price ?? "0") * l.quantity, 0);
}

export function suggestedRefund(order: StandinOrder, lines: RefundLineInput[], currency: string) {
  const amount = Math.min(suggestedAmount(order, lines), refundable(order));
  const set = {
    shopMoney: { amount: money(amount), currencyCode: currency },
    presentmentMoney: { amount: money(amount), currencyCode: currency },
  };
  return {
    amount: money(amount),
    amountSet: set,
    suggestedTransactions:
      amount > 0
        ? [
            {
              __typename: "SuggestedOrderTransaction",
              gateway: order.gateway,
              kind: "SUGGESTED_REFUND",
              amount: money(amount),
              amountSet: set,
              parentTransaction: { __typename: "OrderTransaction", id: order.saleTransactionId, kind: "SALE", gateway: order.gateway },
            },
          ]
        : [],
  };
}

/**
 * refundCreate. Refused with userErrors (nothing changes): an unknown order, a line not on it,
 * more units than it has left, CANCEL of units already shipped, RETURN of units never shipped,
 * LEGACY_RESTOCK, a transaction on another order or parent, or more money than was paid.
 */
export function createRefund(
  shop: StandinShop,
  input: RefundInput,
  idempotencyKey: string,
): { refund: StandinRefund; order: StandinOrder } | { userErrors: RefundUserError[] } {
  const done = shop.refundByIdempotencyKey.get(idempotencyKey);
  if (done) {
    const order = shop.orders.get(done.orderId)!;
    return { refund: order.refunds.find((r) => r.id === done.refundId)!, order };
  }
  const order = shop.readableOrder(input.orderId);
  if (!order) return { userErrors: [{ field: ["orderId"], message: "Order does not exist" }] };
  const lines = input.refundLineItems ?? [];
  const errors = lineRefundErrors(order, lines);
  lines.forEach((l, i) => {
    const field = ["refundLineItems", String(i), "restockType"];
    const type = l.restockType ?? "NO_RESTOCK";
    if (type === "LEGACY_RESTOCK") errors.push({ field, message: "Restock type LEGACY_RESTOCK is not accepted when creating refunds" });
    if (type === "CANCEL" && l.quantity > unfulfilled(shop, order, l.lineItemId))
      errors.push({ field, message: "Cannot cancel more items than are unfulfilled" });
    if (type === "RETURN") errors.push({ field, message: "Cannot return items that have not been fulfilled" });
    if (l.locationId && !shop.locations.has(l.locationId))
      errors.push({ field: ["refundLineItems", String(i), "locationId"], message: "Location does not exist" });
  });
  let total = 0;
  (input.transactions ?? []).forEach((t, i) => {
    const field = ["transactions", String(i)];
    if (t.orderId !== order.id) errors.push({ field: [...field, "orderId"], message: "Transaction belongs to another order" });
    if (t.parentId !== order.saleTransactionId)
      errors.push({ field: [...field, "parentId"], message: "Parent transaction does not exist" });
    if (t.kind !== "REFUND") errors.push({ field: [...field, "kind"], message: "Transaction kind must be refund" });
    total += cents(t.amount);
  });
  if (total > refundable(order)) errors.push({ field: ["transactions"], message: "Amount cannot exceed the refundable amount" });
  if (errors.length) return { userErrors: errors };

  const refund: StandinRefund = {
    id: shop.newId("Refund"),
    createdAt: shop.nowIso(),
    note: input.note ?? null,
    lineItems: [],
    transactions: (input.transactions ?? []).map((t) => ({ parentId: t.parentId!, gateway: t.gateway, amount: money(cents(t.amount)) })),
  };
  for (const l of lines) {
    const line = order.lineItems.find((x) => x.id === l.lineItemId)!;
    line.refunded += l.quantity;
    let locationId: string | null = null;
    if (l.restockType === "CANCEL") {
      // The units leave the fulfillment orders that still hold them and go back on the shelf.
      let left = l.quantity;
      for (const fo of shop.fulfillmentOrdersOf(order.id)) {
        for (const fl of fo.lineItems.filter((x) => x.lineItemId === l.lineItemId)) {
          const take = Math.min(left, fl.remainingQuantity);
          if (take === 0) continue;
          fl.remainingQuantity -= take;
          fl.totalQuantity -= take;
          left -= take;
          locationId = l.locationId ?? fo.locationId;
          const variant = line.variantId ? shop.variants.get(line.variantId) : undefined;
          if (variant) {
            const level = shop.levels.get(`${variant.inventoryItemId}|${locationId}`);
            shop.setAvailable(variant.inventoryItemId, locationId, (level?.available ?? 0) + take);
          }
        }
        if (fo.lineItems.every((x) => x.remainingQuantity === 0)) {
          fo.status = "CLOSED";
          fo.holds = [];
        }
      }
    }
    refund.lineItems.push({
      lineItemId: l.lineItemId,
      quantity: l.quantity,
      restockType: l.restockType ?? "NO_RESTOCK",
      locationId,
      subtotal: money(cents(line.price) * l.quantity),
    });
  }
  order.refunds.push(refund);
  shop.refundByIdempotencyKey.set(idempotencyKey, { orderId: order.id, refundId: refund.id });
  return { refund, order };
}

/** The refunds/create webhook Shopify sends for a refund (the fields the app reads, and a few more). */
export function refundWebhookPayload(order: StandinOrder, refund: StandinRefund) {
  const rest = (g: string) => Number(g.slice(g.lastIndexOf("/") + 1));
  return {
    id: rest(refund.id),
    order_id: rest(order.id),
    created_at: refund.createdAt,
    processed_at: refund.createdAt,
    note: refund.note,
    restock: refund.lineItems.some((l) => l.restockType !== "NO_RESTOCK"),
    refund_line_items: refund.lineItems.map((l, i) => ({
      id: rest(refund.id) * 10 + i,
      line_item_id: rest(l.lineItemId),
      quantity: l.quantity,
      restock_type: l.restockType.toLowerCase(),
      location_id: l.locationId ? rest(l.locationId) : null,
      subtotal: l.subtotal,
    })),
    transactions: refund.transactions.map((t, i) => ({
      id: rest(refund.id) * 10 + i,
      order_id: rest(order.id),
      kind: "refund",
      gateway: t.gateway,
      status: "success",
      amount: t.amount,
      parent_id: rest(t.parentId),
    })),
  };
}
