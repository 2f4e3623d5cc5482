// Flash-sale burst: webhook ack latency (p50/p99) over HTTP, then worker throughput.
// `npm run bench` (SQLite temp file) or `npm run bench -- postgres`; ORDERS=10000 VARIANTS=50 CONCURRENCY=32.
import { createDb } from "../app/db/client.server.ts";
import { drainInbox } from "../app/worker/worker.server.ts";
import { API_VERSION } from "../app/shopify-app.server.ts";
import { startWebhookServer } from "../dev/webhook-server.ts";
import { shopifyWebhookHeaders } from "../dev/webhook-signing.ts";
import { flashSale } from "../dev/fixtures/flash-sale.ts";
import { throwawayDatabase } from "./support/throwaway-database.ts";

const provider = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const ORDERS = Number(process.env.ORDERS ?? 10_000);
const VARIANTS = Number(process.env.VARIANTS ?? 50);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const SECRET = "bench-secret";
const SHOP = "flash-sale.myshopify.com";

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const database = await throwawayDatabase(provider);
const db = createDb(database.url);
const server = await startWebhookServer(db, SECRET);
const deliveries = flashSale({ orders: ORDERS, variants: VARIANTS, stockPerVariant: 40 });
const bodies = deliveries.map((d) => JSON.stringify(d.payload));

const latencies: number[] = [];
let next = 0;
let refused = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < deliveries.length) {
      const i = next++;
      const d = deliveries[i]!;
      const headers = shopifyWebhookHeaders({
        shop: SHOP,
        topic: d.topic,
        apiVersion: API_VERSION,
        webhookId: d.webhookId,
        secret: SECRET,
        body: bodies[i]!,
      });
      const s = performance.now();
      const res = await fetch(server.url, { method: "POST", headers, body: bodies[i]! });
      await res.arrayBuffer();
      latencies.push(performance.now() - s);
      if (res.status !== 200) refused++;
    }
  }),
);
const ingestMs = performance.now() - t0;
latencies.sort((a, b) => a - b);

const w0 = performance.now();
const drained = await drainInbox(db, { batchSize: 500 });
const drainMs = performance.now() - w0;

const waiting = await db.backorderLine.aggregate({
  where: { shop: SHOP, state: "waiting" },
  _sum: { waitingQuantity: true },
  _count: true,
});
const expectedShort = (() => {
  const avail = new Map<number, number>();
  for (const d of deliveries)
    if (d.topic === "inventory_levels/update") {
      const p = d.payload as { inventory_item_id: number; available: number };
      avail.set(p.inventory_item_id, p.available);
    }
  return [...avail.values()].reduce((s, a) => s + Math.max(0, -a), 0);
})();

console.log(
  JSON.stringify(
    {
      provider,
      node: process.version,
      deliveries: deliveries.length,
      orders: ORDERS,
      variants: VARIANTS,
      concurrency: CONCURRENCY,
      refused,
      ackP50ms: +pct(latencies, 50).toFixed(2),
      ackP99ms: +pct(latencies, 99).toFixed(2),
      ackMaxMs: +latencies.at(-1)!.toFixed(2),
      ingestPerSec: Math.round(deliveries.length / (ingestMs / 1000)),
      workerEvents: drained.processed,
      workerFailed: drained.failed,
      workerSeconds: +(drainMs / 1000).toFixed(1),
      workerEventsPerSec: Math.round(drained.processed / (drainMs / 1000)),
      waitingLines: waiting._count,
      waitingUnits: waiting._sum.waitingQuantity ?? 0,
      expectedWaitingUnits: expectedShort,
    },
    null,
    2,
  ),
);

await server.close();
await db.$disconnect();
await database.drop();
if (refused > 0 || drained.failed > 0 || (waiting._sum.waitingQuantity ?? 0) !== expectedShort) process.exit(1);
