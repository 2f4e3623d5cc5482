// `npm run simulate`: the engine's main job on the embedded default, no Shopify needed.
// Sends a day of trade (sell-out, backorders, restock, cancellation, refund, fulfilment)
// as HMAC-signed webhooks through the real webhook route code into the SQLite file,
// drains the inbox and prints the queue. Re-running is a no-op (same webhook ids).
import { applyMigrations } from "../app/db/apply-migrations.server.ts";
import { databaseUrl } from "../app/db/url.ts";
import { createDb } from "../app/db/client.server.ts";
import { API_VERSION } from "../app/shopify-app.server.ts";
import { webhookLimits } from "../app/config.server.ts";
import { createWebhookDoor } from "../app/inbox/receive-webhook.server.ts";
import { drainInbox } from "../app/worker/worker.server.ts";
import { sellOutDay } from "../dev/fixtures/sell-out-day.ts";
import { shopifyWebhookHeaders } from "../dev/webhook-signing.ts";

const SHOP = process.env.BACKORDER_DEMO_SHOP ?? "demo-backorders.myshopify.com";
const SECRET = process.env.SHOPIFY_API_SECRET ?? "offline-demo-secret";

const url = databaseUrl();
await applyMigrations(url);
const db = createDb(url);
const door = createWebhookDoor({ db, apiSecret: SECRET, ...webhookLimits() });

let accepted = 0;
for (const d of sellOutDay()) {
  const body = JSON.stringify(d.payload);
  const headers = shopifyWebhookHeaders({
    shop: SHOP,
    topic: d.topic,
    apiVersion: API_VERSION,
    webhookId: `sim-${d.webhookId}`,
    secret: SECRET,
    body,
  });
  const res = await door(new Request("http://localhost/webhooks", { method: "POST", headers, body }));
  if (res.status !== 200) throw new Error(`${d.topic} refused: ${res.status} ${await res.text()}`);
  accepted++;
}
const r = await drainInbox(db);
console.log(`${accepted} webhooks accepted, ${r.processed} applied now, ${r.failed} failed (database: ${url})\n`);

const lines = await db.backorderLine.findMany({ where: { shop: SHOP }, orderBy: [{ orderedAt: "asc" }, { lineItemId: "asc" }] });
console.table(
  lines.map((l) => ({
    order: l.orderName,
    item: l.title,
    ordered: l.quantity,
    open: l.openQuantity,
    waiting: l.waitingQuantity,
    state: l.state,
    backordered: l.backorderedAt ? "yes" : "",
  })),
);
await db.$disconnect();
