// Order webhooks for a loaded inbox, stored as the door stores them (raw payload, pending).
import type { Db } from "../../../app/db/client.server.ts";
import { storeDelivery } from "../../../app/inbox/inbox.server.ts";
import { orderPayload } from "../../../dev/fixtures/shopify-payloads.ts";

let seq = 0;

/** `count` one-line orders/create events for `shop`, spread over a few variants; returns their webhook ids. */
export async function storeOrderEvents(db: Db, shop: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = ++seq;
    const id = 910_000_000 + n;
    const payload = orderPayload({
      id,
      createdAt: new Date(Date.UTC(2026, 10, 1, 9, 0, n % 60)).toISOString(),
      lines: [{ id: 920_000_000 + n, variantId: 40_000 + (n % 7), quantity: 1 }],
    });
    const webhookId = `fault-${shop}-${n}`;
    await storeDelivery(db, { shop, topic: "orders/create", webhookId, payload: JSON.stringify(payload) });
    ids.push(webhookId);
  }
  return ids;
}
