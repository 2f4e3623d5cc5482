// How fast a backorder limit is enforced on Shopify during a burst (issue 11): from the order
// that brings a variant's waiting units to its limit (VariantPolicy.maxBackorder) to the
// moment the Admin API stand-in (dev/admin-standin) holds inventoryPolicy DENY for it, and
// how many units Shopify accepted past the limit meanwhile.
//
//   npx tsx bench/limit-latency.ts [sqlite|postgres]     (default postgres)
//   knobs: ORDERS=3000 RATE=100 (orders/s) VARIANTS=50 STOCK=10 LIMIT=20
//          WORKER_ROOT=<checkout> runs that checkout's worker (the other side of a same-run
//          comparison: same bench, same stand-in, same schema assumed)
//          DOOR=inline stores deliveries on the bench's main thread, as before decision 0025
//
// The bench plays Shopify's checkout: at each order's time it reads the stand-in's variant;
// with DENY and no stock left the order is refused, else Shopify accepts it (stock goes down
// on the stand-in, the order is added there) and sends orders/create and
// inventory_levels/update, stored in the inbox as the webhook door stores them (the door's
// own cost is measured by webhook-load.ts) and the worker is woken as the web process wakes it.
// The door runs on a thread of its own (bench/support/inbox-writer-thread.ts): on SQLite its
// waits for the write lock would otherwise stall the stand-in, served on the main thread.
// The app side is one real `npm run worker` process (tsx's CLI running scripts/worker.ts):
// its inbox loop applies the events, its sync loop pushes DENY to the stand-in over HTTP
// (the sync debounces a shop's changes by SYNC_DEBOUNCE_MS, part of what is measured).
// DENY is seen by polling the stand-in's state every 5 ms.
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { createDb } from "../app/db/client.server.ts";
import { storeDelivery } from "../app/inbox/inbox.server.ts";
import { SYNC_DEBOUNCE_MS } from "../app/sync/hooks.server.ts";
import { AdminStandin } from "../dev/admin-standin/server.ts";
import { installOfflineSession } from "../dev/admin-standin/install.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../dev/fixtures/shopify-payloads.ts";
import { addDropCatalog } from "./support/drop-catalog.ts";
import { startDoorThread } from "./support/door-thread.ts";
import { throwawayDatabase, type BenchProvider } from "./support/throwaway-database.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const WORKER_ROOT = path.resolve(process.env.WORKER_ROOT ?? ROOT);
const TSX_CLI = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
const INLINE_DOOR = process.env.DOOR === "inline";
const provider: BenchProvider = process.argv[2] === "sqlite" ? "sqlite" : "postgres";
const ORDERS = Number(process.env.ORDERS ?? 3_000);
const RATE = Number(process.env.RATE ?? 100);
const VARIANTS = Number(process.env.VARIANTS ?? 50);
const STOCK = Number(process.env.STOCK ?? 10);
const LIMIT = Number(process.env.LIMIT ?? 20);
const SHOP = "limit-bench.myshopify.com";
const LOCATION = 655441491;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const variantGid = (v: number) => `gid://shopify/ProductVariant/${20_000 + v}`;

const loadAtStart = os.loadavg();
const database = await throwawayDatabase(provider, "limit");
const db = createDb(database.url);
const standin = new AdminStandin();
const shop = standin.addShop({ domain: SHOP, timezone: "America/New_York" });
shop.addLocation(LOCATION, "Warehouse");
const catalogAt = addDropCatalog(shop, { variants: VARIANTS, location: LOCATION, stock: STOCK });
const origin = await standin.listen();
await installOfflineSession(db, SHOP, shop.accessToken);
await db.variantPolicy.createMany({
  data: Array.from({ length: VARIANTS }, (_, v) => ({ shop: SHOP, variantId: String(20_000 + v), enabled: true, maxBackorder: LIMIT })),
});
// The catalog as its webhooks bring it: products, then their stock.
let webhookSeq = 0;
let lastWebhookId = "";
const deliver = (topic: string, payload: unknown) =>
  storeDelivery(db, { shop: SHOP, topic, webhookId: (lastWebhookId = `lim-${++webhookSeq}`), payload: JSON.stringify(payload) });
for (let v = 0; v < VARIANTS; v++) {
  await deliver(
    "products/update",
    productPayload({
      id: 10_000 + v,
      title: `Drop ${v}`,
      updatedAt: catalogAt,
      variants: [{ id: 20_000 + v, inventoryItemId: 30_000 + v }],
    }),
  );
  await deliver("inventory_levels/update", inventoryLevelPayload(30_000 + v, LOCATION, STOCK, catalogAt));
}

const worker: ChildProcess = spawn(process.execPath, [TSX_CLI, "scripts/worker.ts"], {
  cwd: WORKER_ROOT,
  env: { ...process.env, DATABASE_URL: database.url, SHOPIFY_ADMIN_API_ORIGIN: origin },
  stdio: ["ignore", "pipe", "pipe", "ipc"],
});
let workerOut = "";
const keep = (d: Buffer) => (workerOut = (workerOut + d.toString()).slice(-20_000));
worker.stdout!.on("data", keep);
worker.stderr!.on("data", keep);
const wake = () => worker.connected && worker.send({ type: "backorder-worker:wake" });
// The burst's deliveries: stored by the door's thread, in order; each stored one wakes the worker.
const door = startDoorThread(database.url, wake);
const send = (topic: string, payload: unknown) => {
  const write = { shop: SHOP, topic, webhookId: (lastWebhookId = `lim-${++webhookSeq}`), payload: JSON.stringify(payload) };
  if (INLINE_DOOR) return storeDelivery(db, write).then(() => undefined);
  door.store(write);
  return Promise.resolve();
};
const unfinished = () => db.webhookInbox.count({ where: { status: { in: ["pending", "processing", "failed"] } } });
for (let i = 0; (await unfinished()) > 0; i++) {
  if (i > 600 || worker.exitCode !== null) throw new Error(`the worker did not apply the catalog:\n${workerOut}`);
  await sleep(100);
}
await sleep(SYNC_DEBOUNCE_MS + 3_000); // the catalog's own sync pass is over
const denyBefore = [...shop.variants.values()].filter((v) => v.inventoryPolicy === "DENY").length;
if (denyBefore) throw new Error(`${denyBefore} variants are DENY before the burst:\n${workerOut}`);

// DENY as the stand-in holds it, first seen at
const deniedAt = new Map<number, number>();
const watch = setInterval(() => {
  for (let v = 0; v < VARIANTS; v++)
    if (!deniedAt.has(v) && shop.variants.get(variantGid(v))!.inventoryPolicy === "DENY") deniedAt.set(v, Date.now());
}, 5);

// The burst: Shopify's checkout at RATE orders a second.
interface Accepted {
  v: number;
  at: number;
  qty: number;
}
const accepted: Accepted[] = [];
const reachedAt = new Map<number, number>(); // the order after which waiting units ≥ LIMIT
const reachingWebhook = new Map<number, string>(); // that order's orders/create
let refused = 0;
const t0 = Date.now();
for (let i = 0; i < ORDERS; i++) {
  const due = t0 + (i * 1000) / RATE;
  const wait = due - Date.now();
  if (wait > 0) await sleep(wait);
  const v = (i * 7919) % VARIANTS;
  const qty = 1 + (i % 3 === 0 ? 1 : 0);
  const item = `gid://shopify/InventoryItem/${30_000 + v}`;
  const available = shop.levelsOf(item)[0]!.available;
  if (shop.variants.get(variantGid(v))!.inventoryPolicy === "DENY" && available - qty < 0) {
    refused++;
    continue;
  }
  const at = Date.now();
  const now = new Date().toISOString();
  shop.setAvailable(30_000 + v, LOCATION, available - qty, now);
  shop.addOrder({ id: 1_000_000 + i, locationId: LOCATION, lines: [{ id: 2_000_000 + i, variantId: 20_000 + v, quantity: qty }] });
  accepted.push({ v, at, qty });
  await send(
    "orders/create",
    orderPayload({ id: 1_000_000 + i, createdAt: now, lines: [{ id: 2_000_000 + i, variantId: 20_000 + v, quantity: qty }] }),
  );
  if (!reachedAt.has(v) && -(available - qty) >= LIMIT) {
    reachedAt.set(v, at);
    reachingWebhook.set(v, lastWebhookId);
  }
  await send("inventory_levels/update", inventoryLevelPayload(30_000 + v, LOCATION, available - qty, now));
  if (INLINE_DOOR) wake();
}
await door.allStored();
const burstSeconds = (Date.now() - t0) / 1000;
const behind = (Date.now() - t0) / 1000 - ORDERS / RATE;

// Every variant that reached its limit is DENY on the stand-in, or 60 s have passed.
for (let i = 0; i < 600 && [...reachedAt.keys()].some((v) => !deniedAt.has(v)); i++) await sleep(100);
clearInterval(watch);

const latencies: number[] = [];
let oversoldUnits = 0;
let oversoldOrders = 0;
for (const [v, reached] of reachedAt) {
  const denied = deniedAt.get(v);
  if (denied !== undefined) latencies.push(denied - reached);
  for (const a of accepted)
    if (a.v === v && a.at > reached && (denied === undefined || a.at < denied)) {
      oversoldUnits += a.qty;
      oversoldOrders++;
    }
}
latencies.sort((a, b) => a - b);
// Where the time went: until the worker had applied the order that reached the limit, then
// until the stand-in held DENY (the sync's debounce, its queue of other pushes, throttling).
const appliedRows = await db.webhookInbox.findMany({
  where: { shop: SHOP, webhookId: { in: [...reachingWebhook.values()] } },
  select: { webhookId: true, processedAt: true },
});
const appliedAt = new Map(appliedRows.map((r) => [r.webhookId, r.processedAt?.getTime()]));
const toApplied: number[] = [];
const appliedToDeny: number[] = [];
for (const [v, reached] of reachedAt) {
  const applied = appliedAt.get(reachingWebhook.get(v)!);
  const denied = deniedAt.get(v);
  if (applied === undefined) continue;
  toApplied.push(applied - reached);
  if (denied !== undefined) appliedToDeny.push(denied - applied);
}
toApplied.sort((a, b) => a - b);
appliedToDeny.sort((a, b) => a - b);
const syncTasks = await db.syncTask.groupBy({ by: ["kind", "status"], _count: { _all: true } });
const calls = standin.calls.filter((c) => c.shop === SHOP);
const spread = (xs: number[]) => ({ p50: Math.round(pct(xs, 50)), p99: Math.round(pct(xs, 99)) });
const waitingPast = [...reachedAt.keys()].map((v) => -shop.levelsOf(`gid://shopify/InventoryItem/${30_000 + v}`)[0]!.available - LIMIT);

console.log(
  JSON.stringify(
    {
      provider,
      orders: ORDERS,
      ratePerSec: RATE,
      variants: VARIANTS,
      stock: STOCK,
      limit: LIMIT,
      syncDebounceMs: SYNC_DEBOUNCE_MS,
      worker: WORKER_ROOT,
      door: INLINE_DOOR ? "inline" : "thread",
      burstSeconds: +burstSeconds.toFixed(1),
      senderBehindSeconds: +behind.toFixed(2),
      accepted: accepted.length,
      refused,
      variantsAtLimit: reachedAt.size,
      variantsDenied: [...reachedAt.keys()].filter((v) => deniedAt.has(v)).length,
      limitToDenyMs: {
        p50: Math.round(pct(latencies, 50)),
        p99: Math.round(pct(latencies, 99)),
        max: Math.round(latencies.at(-1) ?? NaN),
        min: Math.round(latencies[0] ?? NaN),
      },
      limitToAppliedMs: spread(toApplied),
      appliedToDenyMs: spread(appliedToDeny),
      syncTasks: syncTasks.map((t) => `${t.kind} ${t.status}: ${t._count._all}`),
      standinCalls: {
        total: calls.length,
        mutations: calls.filter((c) => c.operation === "mutation").length,
        throttled: calls.filter((c) => c.errors.includes("THROTTLED") || c.status === 429).length,
      },
      oversold: {
        orders: oversoldOrders,
        units: oversoldUnits,
        perVariantUnitsPastLimitMax: Math.max(...waitingPast),
        perVariantUnitsPastLimitMean: +(waitingPast.reduce((s, x) => s + x, 0) / (waitingPast.length || 1)).toFixed(1),
      },
      load: { start: loadAtStart.map((l) => +l.toFixed(2)), end: os.loadavg().map((l) => +l.toFixed(2)) },
    },
    null,
    2,
  ),
);

await door.close();
const exited = new Promise((r) => worker.once("exit", r));
worker.kill("SIGTERM");
await exited;
await standin.close();
await db.$disconnect();
await database.drop();
