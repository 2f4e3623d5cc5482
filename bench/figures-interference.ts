// Does the figures warmer (decision 0032) hold up the worker's inbox? A big shop's figures are
// recomputed while a small shop's flash sale streams in, and the bench measures how long each
// of the sale's webhooks waited from stored to applied (the engine work a stop-selling push
// waits for), and the event-loop delay of the thread the worker's loops run on.
//
//   npx tsx bench/figures-interference.ts [sqlite|postgres]     (default postgres)
//   knobs: LINES=50000 (the big shop's queue history) SECONDS=20 RATE=50 (orders/s, two webhooks each)
//          WARM=on|off (off: the big shop is never marked) INTERVAL_MS=1000 (the warmer's
//          per-shop interval, 30 s in production: 1 s stands for ~30 busy big shops)
//          WORKER_ROOT=<checkout> runs that checkout's worker loops (same-run comparison)
//          LOGS=1 prints the loops' log lines on stderr
//
// The loops run on this process's main thread, as they run on scripts/worker-thread.ts's; the
// deliveries are stored by a thread of their own (bench/support/inbox-writer-thread.ts), each
// stored one wakes the inbox loop. With WARM=on the bench marks the big shop every second
// (as a chunk of its would), so the warmer recomputes it once per INTERVAL_MS.
import { monitorEventLoopDelay } from "node:perf_hooks";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createDb } from "../app/db/client.server.ts";
import { storeDelivery } from "../app/inbox/inbox.server.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../dev/fixtures/shopify-payloads.ts";
import { seedAdminShop } from "../dev/seed/admin-shop.ts";
import { AdminStandin } from "../dev/admin-standin/server.ts";
import { installOfflineSession } from "../dev/admin-standin/install.ts";
import { addDropCatalog } from "./support/drop-catalog.ts";
import { startDoorThread } from "./support/door-thread.ts";
import { throwawayDatabase, type BenchProvider } from "./support/throwaway-database.ts";
import type { startWorkerLoops as StartWorkerLoops } from "../app/worker/worker-loops.server.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const WORKER_ROOT = path.resolve(process.env.WORKER_ROOT ?? ROOT);
const provider: BenchProvider = process.argv[2] === "sqlite" ? "sqlite" : "postgres";
const LINES = Number(process.env.LINES ?? 50_000);
const SECONDS = Number(process.env.SECONDS ?? 20);
const RATE = Number(process.env.RATE ?? 50);
const WARM = process.env.WARM !== "off";
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 1_000);
const BIG = "big-history.myshopify.com";
const SMALL = "flash-sale.myshopify.com";
const VARIANTS = 20;
const LOCATION = 655441491;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const { startWorkerLoops } = (await import(pathToFileURL(path.join(WORKER_ROOT, "app/worker/worker-loops.server.ts")).href)) as {
  startWorkerLoops: typeof StartWorkerLoops;
};
const loadAtStart = os.loadavg();
const database = await throwawayDatabase(provider, "interference");
process.env.DATABASE_URL = database.url; // the loops' sessions and the figures thread read it, as in a worker process
const db = createDb(database.url);
const seeded = await seedAdminShop(db, { shop: BIG, lines: LINES, seed: 11, problems: false });
// Only its figures are the big shop's part here: marked uninstalled, its new day queues no
// storefront pushes (5,000 variant tasks, failing for want of a session, would swamp the sync
// loop); the bench marks it for the warmer itself.
await db.shopSettings.update({ where: { shop: BIG }, data: { uninstalledAt: new Date() } });
// The small shop's pushes (tags and holds on its orders, its variants) go to the Admin API stand-in, as in bench:limit.
const standin = new AdminStandin();
const shop = standin.addShop({ domain: SMALL, timezone: "America/New_York" });
shop.addLocation(LOCATION, "Warehouse");
const at = addDropCatalog(shop, { variants: VARIANTS, location: LOCATION, stock: 0 });
process.env.SHOPIFY_ADMIN_API_ORIGIN = await standin.listen();
await installOfflineSession(db, SMALL, shop.accessToken);
await db.shopSettings.upsert({ where: { shop: SMALL }, create: { shop: SMALL }, update: {} });
let seq = 0;
const write = (topic: string, payload: unknown) => ({ shop: SMALL, topic, webhookId: `fi-${++seq}`, payload: JSON.stringify(payload) });
for (let v = 0; v < VARIANTS; v++) {
  const product = productPayload({
    id: 10_000 + v,
    title: `Drop ${v}`,
    updatedAt: at,
    variants: [{ id: 20_000 + v, inventoryItemId: 30_000 + v }],
  });
  await storeDelivery(db, write("products/update", product));
  await storeDelivery(db, write("inventory_levels/update", inventoryLevelPayload(30_000 + v, LOCATION, 0, at)));
}

const logs: string[] = [];
const stop = new AbortController();
const loops = startWorkerLoops(db, stop.signal, (l) => logs.push(l), {
  figures: { minIntervalMs: INTERVAL_MS, sweepMs: Infinity },
  databaseUrl: database.url,
});
const unfinished = () => db.webhookInbox.count({ where: { shop: SMALL, status: { in: ["pending", "processing", "failed"] } } });
loops.wakeInbox();
while ((await unfinished()) > 0) await sleep(100);
// The big shop's first recomputation (its snapshots are missing) is not part of the stream.
if (WARM) {
  loops.figures.mark(BIG);
  while (!loops.figures.idle) await sleep(100);
}
const streamFrom = new Date();

const door = startDoorThread(database.url, () => loops.wakeInbox());
const marker = WARM ? setInterval(() => loops.figures.mark(BIG), 1_000) : null;
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
const t0 = Date.now();
for (let i = 0; i < SECONDS * RATE; i++) {
  const wait = t0 + (i * 1000) / RATE - Date.now();
  if (wait > 0) await sleep(wait);
  const v = (i * 7) % VARIANTS;
  const now = new Date().toISOString();
  shop.addOrder({ id: 1_000_000 + i, locationId: LOCATION, lines: [{ id: 2_000_000 + i, variantId: 20_000 + v, quantity: 1 }] });
  door.store(
    write(
      "orders/create",
      orderPayload({ id: 1_000_000 + i, createdAt: now, lines: [{ id: 2_000_000 + i, variantId: 20_000 + v, quantity: 1 }] }),
    ),
  );
  door.store(write("inventory_levels/update", inventoryLevelPayload(30_000 + v, LOCATION, -1 - Math.floor(i / VARIANTS), now)));
}
await door.allStored();
for (let i = 0; i < 600 && (await unfinished()) > 0; i++) await sleep(100);
delay.disable();
if (marker) clearInterval(marker);

const rows = await db.webhookInbox.findMany({
  where: { shop: SMALL, receivedAt: { gte: streamFrom } },
  select: { receivedAt: true, processedAt: true, status: true },
});
const waits = rows.filter((r) => r.processedAt).map((r) => r.processedAt!.getTime() - r.receivedAt.getTime());
waits.sort((a, b) => a - b);
const refreshes = logs.filter((l) => /figures: \d+ shop\(s\) refreshed/.test(l)).length;
console.log(
  JSON.stringify(
    {
      provider,
      worker: WORKER_ROOT,
      warm: WARM ? "on" : "off",
      intervalMs: INTERVAL_MS,
      bigShopLines: seeded.lines,
      seconds: SECONDS,
      ordersPerSec: RATE,
      webhooks: rows.length,
      applied: waits.length,
      figuresPasses: refreshes,
      storedToAppliedMs: { p50: Math.round(pct(waits, 50)), p99: Math.round(pct(waits, 99)), max: Math.round(waits.at(-1) ?? NaN) },
      loopsEventLoopDelayMs: {
        p50: Math.round(delay.percentile(50) / 1e6),
        p99: Math.round(delay.percentile(99) / 1e6),
        max: Math.round(delay.max / 1e6),
      },
      load: { start: loadAtStart.map((l) => +l.toFixed(2)), end: os.loadavg().map((l) => +l.toFixed(2)) },
    },
    null,
    2,
  ),
);

if (process.env.LOGS) console.error(logs.join("\n")); // LOGS=1: the loops' log lines, on stderr
await door.close();
// The sync loop may be in a long pass over the sale's order tasks (it finishes a pass before
// it stops): the figures are printed, so give the loops a few seconds and leave.
stop.abort();
await Promise.race([loops.done, sleep(5_000)]);
await standin.close();
await database.drop();
process.exit(0);
