// Issue 10 item 2 at its real size, over HTTP: while the web process's worker applies an
// order of 100,000 lines (a ~38 MB body), the web process still stores and answers other
// webhooks and its pages. Once it stalled: a webhook sent meanwhile got no answer in 60 s.
// Ordering, not timing: each answer must come while the big order is still being applied.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { DEMO_API_SECRET, startAppDevServer, type AppDevServer } from "../../dev/app-dev-server.ts";
import { shopifyWebhookHeaders } from "../../dev/webhook-signing.ts";
import { inventoryLevelPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { bigOrder, catalog, level } from "../../dev/fixtures/large-orders.ts";
import { API_VERSION } from "../../app/shopify-app.server.ts";
import { waitUntil } from "./support/worker-process.ts";

const SHOP = "big-web.myshopify.com";
const LINES = 100_000;
let t: TestDatabase;
let app: AppDevServer;

beforeAll(async () => {
  t = await createTestDatabase("big_web");
  app = await startAppDevServer({ databaseUrl: t.url, shop: SHOP, worker: true });
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

let seq = 0;
async function deliver(topic: string, body: string): Promise<number> {
  const headers = shopifyWebhookHeaders({
    shop: SHOP,
    topic,
    apiVersion: API_VERSION,
    webhookId: `bw-${++seq}`,
    secret: DEMO_API_SECRET,
    body,
  });
  return (await fetch(`${app.url}/webhooks`, { method: "POST", headers, body })).status;
}

const bigStatus = async () =>
  (await t.db.webhookInbox.findFirst({ where: { topic: "orders/create" }, select: { status: true } }))?.status ?? "absent";

describe("the web process while its worker applies a 100,000-line order", () => {
  it("answers webhooks and pages meanwhile, and the order is applied in full", async () => {
    const big = bigOrder({ orderId: 4_200_001, lines: LINES, onFirst: 10_000, others: 90 });
    for (const d of [catalog(91), ...[...big.unitsOf].map(([v, units]) => level(v, -units, 20))]) {
      expect(await deliver(d.topic, JSON.stringify(d.payload))).toBe(200);
    }
    await waitUntil(async () => (await t.db.webhookInbox.count({ where: { status: { not: "done" } } })) === 0, "the catalog is applied");

    expect(await deliver("orders/create", JSON.stringify(big.delivery.payload))).toBe(200);
    await waitUntil(async () => (await bigStatus()) === "processing", "the worker has taken the order", 300_000);

    // Three webhooks and a page, one after another, each answered while the order is still applied.
    for (let i = 0; i < 3; i++) {
      const status = await deliver(
        "inventory_levels/update",
        JSON.stringify(inventoryLevelPayload(9_100_000 + i, 1, 1, "2026-11-27T15:00:00Z")),
      );
      expect(status).toBe(200);
      expect(await bigStatus()).toBe("processing");
    }
    expect((await fetch(`${app.url}/app/settings`)).status).toBe(200);
    expect(await bigStatus()).toBe("processing");

    await waitUntil(async () => (await bigStatus()) === "done", "the order is applied", 900_000);
    expect(await t.db.backorderLine.count({ where: { shop: SHOP, orderId: "4200001" } })).toBe(LINES);
    // The three webhooks sent meanwhile come after it, in arrival order.
    await waitUntil(async () => (await t.db.webhookInbox.count({ where: { status: { not: "done" } } })) === 0, "the rest is applied");
    expect(await t.db.webhookBodyPart.count()).toBe(0);
  }, 1_200_000);
});
