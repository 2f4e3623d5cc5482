// In the demo, Shopify's answer to what the merchant does through the app: Shopify sends
// webhooks about changes the app itself made. A cancellation from the queue page
// (orderCancel on the stand-in) comes back as orders/cancelled plus the restocked
// levels, as it would from Shopify, so the queue shows the result; a customer's cancel from a
// delay notice (refundCreate) comes back as refunds/create plus the restocked level.
import type { AdminStandin } from "../admin-standin/server.ts";
import { restId, type StandinShop } from "../admin-standin/state.ts";
import { inventoryLevelPayload, orderPayload } from "../fixtures/shopify-payloads.ts";
import { refundWebhookPayload } from "../admin-standin/refunds.ts";
import type { DemoWebhook } from "./scenario.ts";

const restNumber = (gid: string) => Number(restId(gid));

export function cancellationWebhooks(store: StandinShop, orderGid: string): DemoWebhook[] {
  const order = store.orders.get(orderGid);
  if (!order?.cancelledAt) return [];
  const id = restNumber(order.id);
  const lines = order.lineItems.map((l) => {
    const v = l.variantId ? store.variants.get(l.variantId) : undefined;
    return {
      id: restNumber(l.id),
      variantId: l.variantId ? restNumber(l.variantId) : 0,
      quantity: l.quantity,
      fulfillable: 0,
      price: v?.price,
      title: l.title,
      variantTitle: v?.title,
    };
  });
  const webhooks: DemoWebhook[] = [
    {
      topic: "orders/cancelled",
      payload: orderPayload({
        id,
        name: order.name,
        createdAt: order.createdAt,
        updatedAt: order.cancelledAt,
        cancelledAt: order.cancelledAt,
        customer: null,
        lines,
      }),
      webhookId: `demo-echo-cancel-${id}`,
    },
  ];
  for (const fo of store.fulfillmentOrdersOf(order.id)) {
    for (const l of order.lineItems) {
      const v = l.variantId ? store.variants.get(l.variantId) : undefined;
      const level = v && store.levels.get(`${v.inventoryItemId}|${fo.locationId}`);
      if (!level) continue;
      webhooks.push({
        topic: "inventory_levels/update",
        payload: inventoryLevelPayload(restNumber(level.inventoryItemId), restNumber(level.locationId), level.available, level.updatedAt),
        webhookId: `demo-echo-cancel-${id}-level-${restNumber(level.inventoryItemId)}-${restNumber(level.locationId)}`,
      });
    }
  }
  return webhooks;
}

/** The refunds/create of the order's refund with `refundGid`, and the levels it restocked. */
export function refundWebhooks(store: StandinShop, orderGid: string, refundGid: string): DemoWebhook[] {
  const order = store.orders.get(orderGid);
  const refund = order?.refunds.find((r) => r.id === refundGid);
  if (!order || !refund) return [];
  const id = restNumber(refund.id);
  const webhooks: DemoWebhook[] = [
    { topic: "refunds/create", payload: refundWebhookPayload(order, refund), webhookId: `demo-echo-refund-${id}` },
  ];
  for (const l of refund.lineItems) {
    const v = order.lineItems.find((x) => x.id === l.lineItemId)?.variantId;
    const variant = v ? store.variants.get(v) : undefined;
    const level = variant && l.locationId ? store.levels.get(`${variant.inventoryItemId}|${l.locationId}`) : undefined;
    if (!level) continue;
    webhooks.push({
      topic: "inventory_levels/update",
      payload: inventoryLevelPayload(restNumber(level.inventoryItemId), restNumber(level.locationId), level.available, level.updatedAt),
      webhookId: `demo-echo-refund-${id}-level-${restNumber(level.inventoryItemId)}-${restNumber(level.locationId)}`,
    });
  }
  return webhooks;
}

/** Watches the stand-in's call log for cancellations the app made, and sends Shopify's webhooks. */
export function followMerchantActions(standin: AdminStandin, store: StandinShop, send: (w: DemoWebhook) => Promise<void>) {
  let seen = standin.calls.length;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      while (seen < standin.calls.length) {
        const call = standin.calls[seen++]!;
        if (call.shop !== store.domain || call.operation !== "mutation" || call.status !== 200 || call.errors.length) continue;
        let webhooks: DemoWebhook[] = [];
        if (/\borderCancel\s*\(/.test(call.query)) webhooks = cancellationWebhooks(store, String(call.variables.orderId));
        if (/\brefundCreate\s*\(/.test(call.query)) {
          const orderGid = String((call.variables.input as { orderId?: string } | undefined)?.orderId);
          const made = store.refundByIdempotencyKey.get(String(call.variables.idempotencyKey));
          if (made) webhooks = refundWebhooks(store, orderGid, made.refundId);
        }
        for (const w of webhooks) await send(w).catch((e: unknown) => console.error("[demo] webhook failed:", e));
      }
    })().finally(() => (busy = false));
  }, 300);
  return { stop: () => clearInterval(timer) };
}
