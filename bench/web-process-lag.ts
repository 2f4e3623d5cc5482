// The web process while a 100,000-line order (a ~38 MB body) comes in and is applied: how
// long its event loop is blocked, and how long other webhooks wait for their 200 meanwhile.
// This process plays the web process: the real webhook door (signed deliveries as Request
// objects) and, as production runs it, the worker in a child process (startBackgroundWorker).
// MODE=inline applies the order in this process instead (the worker as the web process ran
// it before it had a child), for comparison in the same run.
// `npx tsx bench/web-process-lag.ts [sqlite|postgres]`; MODES=child,inline LINES=100000.
import { monitorEventLoopDelay } from "node:perf_hooks";
import os from "node:os";
import { createDb } from "../app/db/client.server.ts";
import { webhookLimits } from "../app/config.server.ts";
import { createWebhookDoor } from "../app/inbox/receive-webhook.server.ts";
import { drainInbox } from "../app/worker/worker.server.ts";
import { startBackgroundWorker, stopBackgroundWorker, wakeWorker } from "../app/worker/background.server.ts";
import { syncAfterApply } from "../app/sync/hooks.server.ts";
import { API_VERSION } from "../app/shopify-app.server.ts";
import { shopifyWebhookHeaders } from "../dev/webhook-signing.ts";
import { bigOrder, catalog, level } from "../dev/fixtures/large-orders.ts";
import { inventoryLevelPayload } from "../dev/fixtures/shopify-payloads.ts";
import { throwawayDatabase } from "./support/throwaway-database.ts";

const provider = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const MODES = (process.env.MODES ?? "child,inline").split(",");
const LINES = Number(process.env.LINES ?? 100_000);
const SECRET = "lag-bench-secret";
const SHOP = "lag-bench.myshopify.com";

interface Run {
  mode: string;
  idleGapMs: number;
  storeMs: number;
  storeGapMs: number;
  applyMs: number;
  applyGapMs: number;
  applyHistMaxMs: number;
  acks: number[];
}

const runs: Run[] = [];
for (const mode of MODES) {
  const r = await run(mode);
  runs.push(r);
  console.log(JSON.stringify({ ...r, acks: r.acks.length, ackMaxMs: Math.round(Math.max(0, ...r.acks)) }));
}

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
console.log(
  `\n${provider}, one order of ${LINES} lines (load: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")})`,
);
console.log(
  "| worker | idle 5 s: longest block (noise) | store: wall / longest block | apply: wall / longest block (ticker; histogram max) | acks meanwhile: n / p50 / max |",
);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const r of runs) {
  console.log(
    `| ${r.mode} | ${r.idleGapMs.toFixed(0)} ms | ${(r.storeMs / 1000).toFixed(1)} s / ${r.storeGapMs.toFixed(0)} ms | ${(r.applyMs / 1000).toFixed(1)} s / ${r.applyGapMs.toFixed(0)} ms; ${r.applyHistMaxMs.toFixed(0)} ms | ${r.acks.length} / ${q(r.acks, 0.5).toFixed(0)} ms / ${Math.max(0, ...r.acks).toFixed(0)} ms |`,
  );
}
process.exit(0);

/** A 5 ms ticker: the longest gap between two of its ticks is the loop's longest block. */
function ticker() {
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 5);
  return {
    /** The longest gap since the last call, and a fresh start. */
    take() {
      const g = Math.max(gap, performance.now() - last);
      gap = 0;
      return g;
    },
    stop: () => clearInterval(timer),
  };
}

/** A body as the HTTP server hands it on: 64 KiB chunks, as they come off the socket. */
function socketStream(body: Buffer): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    // A chunk per turn of the event loop, as a socket's data events come.
    async pull(controller) {
      await new Promise((r) => setImmediate(r));
      if (at >= body.length) return controller.close();
      controller.enqueue(new Uint8Array(body.subarray(at, at + 64 * 1024)));
      at += 64 * 1024;
    },
  });
}

async function run(mode: string): Promise<Run> {
  const database = await throwawayDatabase(provider, "weblag");
  process.env.DATABASE_URL = database.url;
  process.env.SHOPIFY_API_KEY = "lag-bench-key";
  process.env.SHOPIFY_API_SECRET = SECRET;
  process.env.BACKORDER_WORKER = "on";
  const db = createDb(database.url);
  const door = createWebhookDoor({ db, apiSecret: SECRET, ...webhookLimits({}), onStored: mode === "child" ? wakeWorker : undefined });
  let n = 0;
  // Signed up front: signing is the sender's work, not the web process's.
  const sign = (topic: string, body: string) => ({
    headers: {
      ...shopifyWebhookHeaders({ shop: SHOP, topic, apiVersion: API_VERSION, webhookId: `lag-${n++}`, secret: SECRET, body }),
      "Content-Length": String(Buffer.byteLength(body)),
    },
    bytes: Buffer.from(body),
  });
  const deliver = async (d: { headers: Record<string, string>; bytes: Buffer }) => {
    const r = await door(
      new Request("https://app.example.test/webhooks", {
        method: "POST",
        headers: d.headers,
        body: socketStream(d.bytes),
        duplex: "half",
      } as RequestInit),
    );
    if (r.status !== 200) throw new Error(`${r.status} ${await r.text()}`);
  };

  let bigDelivery: ReturnType<typeof sign>;
  {
    const big = bigOrder({ orderId: 4_000_001, lines: LINES, onFirst: Math.min(10_000, LINES), others: 90 });
    for (const d of [catalog(91), ...[...big.unitsOf].map(([v, units]) => level(v, -units, 20))]) {
      await deliver(sign(d.topic, JSON.stringify(d.payload)));
    }
    await drainInbox(db, { afterApply: syncAfterApply() });
    bigDelivery = sign("orders/create", JSON.stringify(big.delivery.payload));
  } // the order's objects go: a web process holds only the bytes it is sent
  const ackDeliveries = Array.from({ length: 3000 }, (_, i) =>
    sign("inventory_levels/update", JSON.stringify(inventoryLevelPayload(9_000_000 + i, 1, 1, new Date().toISOString()))),
  );

  const tick = ticker();
  // The machine's own noise first: the process doing nothing for 5 s.
  await new Promise((r) => setTimeout(r, 5000));
  const idleGapMs = tick.take();

  let t0 = performance.now();
  await deliver(bigDelivery);
  const storeMs = performance.now() - t0;
  const storeGapMs = tick.take();

  // Other webhooks every 100 ms while it is applied, each timed to its 200.
  const hist = monitorEventLoopDelay({ resolution: 5 });
  hist.enable();
  const acks: number[] = [];
  let acking = true;
  const acker = (async () => {
    for (let i = 0; acking && i < ackDeliveries.length; i++) {
      const a0 = performance.now();
      await deliver(ackDeliveries[i]!);
      acks.push(performance.now() - a0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  t0 = performance.now();
  const inline = mode === "child" ? (startBackgroundWorker(), Promise.resolve()) : drainInbox(db, { afterApply: syncAfterApply() });
  for (;;) {
    const row = await db.webhookInbox.findFirst({ where: { shop: SHOP, topic: "orders/create" }, select: { status: true } });
    if (row?.status === "done" || row?.status === "dead" || row?.status === "rejected") break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const applyMs = performance.now() - t0;
  acking = false;
  await acker;
  hist.disable();
  const applyGapMs = tick.take();
  tick.stop();
  await inline; // the in-process drain ends when nothing is due (the acks sent meanwhile are applied too)
  if (mode === "child") {
    await stopBackgroundWorker();
    globalThis.__backorderWorkerChild = undefined;
  }
  const lines = await db.backorderLine.count({ where: { shop: SHOP, orderId: "4000001" } });
  if (lines !== LINES) throw new Error(`${mode}: ${lines} of ${LINES} lines applied`);
  await db.$disconnect();
  await database.drop();
  return { mode, idleGapMs, storeMs, storeGapMs, applyMs, applyGapMs, applyHistMaxMs: hist.max / 1e6, acks };
}
