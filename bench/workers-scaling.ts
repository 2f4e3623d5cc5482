// Inbox throughput with 1, 2 and 4 `npm run worker` processes on PostgreSQL (issue 11).
// The flash sale (dev/fixtures/flash-sale.ts) is written straight into the inbox (no HTTP:
// webhook-load.ts measures the door), split over SHOPS shops (one writer per shop, decision
// 0010, so one shop cannot use more than one worker at a time). Workers are real processes:
// tsx's CLI running scripts/worker.ts, as `npm run worker` and test/faults/support/worker-process.ts
// start them. They are started and idle first, then the inbox is filled and every worker is
// woken (the message the web process sends after storing a webhook), so no worker starts early.
//
//   npx tsx bench/workers-scaling.ts [sqlite|postgres]     (default postgres)
//   knobs: WORKERS=1,2,4 SHOPS=1,4 ORDERS=4000 VARIANTS=20
//
// events/s runs from the first claim (polled every 20 ms: the first row not pending) to the
// last processedAt. Peak RSS is VmHWM of each worker's processes (tsx's CLI and the node
// process it starts, which runs both threads), read just before the worker is stopped.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb } from "../app/db/client.server.ts";
import { flashSale } from "../dev/fixtures/flash-sale.ts";
import { throwawayDatabase, type BenchProvider } from "./support/throwaway-database.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const TSX_CLI = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
const provider: BenchProvider = process.argv[2] === "sqlite" ? "sqlite" : "postgres";
const list = (v: string | undefined, d: string) => (v ?? d).split(",").map(Number);
const WORKERS = list(process.env.WORKERS, "1,2,4");
const SHOPS = list(process.env.SHOPS, "1,4");
const ORDERS = Number(process.env.ORDERS ?? 4_000);
const VARIANTS = Number(process.env.VARIANTS ?? 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM (MB) of `pid` and every process below it. */
function tree(pid: number): { pid: number; rssMb: number; hwmMb: number }[] {
  const out: { pid: number; rssMb: number; hwmMb: number }[] = [];
  const visit = (p: number) => {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, "utf8");
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      out.push({ pid: p, rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 });
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        const kids = fs.readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim();
        for (const k of kids ? kids.split(/\s+/) : []) visit(Number(k));
      }
    } catch {
      // gone while we looked
    }
  };
  visit(pid);
  return out;
}

interface Worker {
  child: ChildProcess;
  out: string;
}

function startWorker(databaseUrl: string): Worker {
  const child = spawn(process.execPath, [TSX_CLI, "scripts/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    // ipc: the wake message, as the web process sends it to its worker child
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const w: Worker = { child, out: "" };
  const keep = (d: Buffer) => (w.out = (w.out + d.toString()).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  return w;
}

async function run(workers: number, shops: number) {
  const database = await throwawayDatabase(provider, "wscale");
  const db = createDb(database.url);
  try {
    const procs = Array.from({ length: workers }, () => startWorker(database.url));
    // Started and idle: the main thread printed, and the loops' first (empty) pass is long over.
    for (const w of procs) {
      for (let i = 0; !/\[worker\] started/.test(w.out); i++) {
        if (i > 600 || w.child.exitCode !== null) throw new Error(`a worker did not start:\n${w.out}`);
        await sleep(100);
      }
    }
    await sleep(3_000);

    // The same sale in every shop, ORDERS / shops orders each: the same events in total.
    const perShop = flashSale({ orders: Math.round(ORDERS / shops), variants: VARIANTS, stockPerVariant: 40 });
    const rows = Array.from({ length: shops }, (_, s) =>
      perShop.map((d) => ({ shop: `sale-${s}.myshopify.com`, topic: d.topic, webhookId: d.webhookId, payload: JSON.stringify(d.payload) })),
    ).flat();
    // Interleaved by position in the sale, as the shops' deliveries would arrive together.
    rows.sort((a, b) => perShopIndex(a.webhookId) - perShopIndex(b.webhookId));
    for (let i = 0; i < rows.length; i += 1000) await db.webhookInbox.createMany({ data: rows.slice(i, i + 1000) });
    const events = rows.length;

    for (const w of procs) w.child.send({ type: "backorder-worker:wake" });
    let firstClaim = 0;
    const peakRss = new Map<number, number>();
    const sample = () => procs.forEach((w, i) => peakRss.set(i, Math.max(peakRss.get(i) ?? 0, ...tree(w.child.pid!).map((p) => p.rssMb))));
    for (let i = 0; ; i++) {
      if (!firstClaim && (await db.webhookInbox.count({ where: { status: { not: "pending" } } })) > 0) firstClaim = Date.now();
      if (firstClaim) {
        const left = await db.webhookInbox.count({ where: { status: { in: ["pending", "processing", "failed"] } } });
        if (left === 0) break;
      }
      if (i % 10 === 0) sample();
      if (i > 30_000) throw new Error("the inbox did not drain in 10 minutes");
      await sleep(firstClaim ? 100 : 20);
    }
    const last = await db.webhookInbox.aggregate({ _max: { processedAt: true } });
    const byStatus = await db.webhookInbox.groupBy({ by: ["status"], _count: { _all: true } });
    const seconds = (last._max.processedAt!.getTime() - firstClaim) / 1000;
    // The longest stretch in which no event was finished: a worker waiting for its next poll
    // while the shop's lease was elsewhere shows here.
    const finished = (await db.webhookInbox.findMany({ select: { processedAt: true } }))
      .map((r) => r.processedAt!.getTime())
      .sort((a, b) => a - b);
    const longestGapSeconds = finished.reduce((g, t, i) => (i ? Math.max(g, t - finished[i - 1]!) : g), 0) / 1000;
    // Which worker applied how much: each prints "[worker] processed N" per pass.
    const processedBy = procs.map((w) => [...w.out.matchAll(/\[worker\] processed (\d+)/g)].reduce((s, m) => s + Number(m[1]), 0));
    const hwm = procs.map((w) => tree(w.child.pid!).map((p) => Math.round(p.hwmMb)));
    sample();

    await Promise.all(
      procs.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null) return resolve();
            w.child.once("exit", () => resolve());
            w.child.kill("SIGTERM");
          }),
      ),
    );
    return {
      provider,
      workers,
      shops,
      events,
      status: Object.fromEntries(byStatus.map((r) => [r.status, r._count._all])),
      seconds: +seconds.toFixed(2),
      eventsPerSec: Math.round(events / seconds),
      longestGapSeconds,
      processedBy,
      // per worker: peak RSS (VmHWM, MB) of its largest process (the node process running the
      // worker's two threads), then of every process of the worker (tsx CLI, node, esbuild)
      peakRssMb: hwm.map((h) => Math.max(...h)),
      processesHwmMb: hwm,
      sampledMaxRssMb: procs.map((_, i) => Math.round(peakRss.get(i) ?? 0)),
    };
  } finally {
    await db.$disconnect();
    await database.drop();
  }
}

function perShopIndex(webhookId: string): number {
  // fs-p-<v>, fs-i0-<v> first (catalog), then fs-o-<i> / fs-i-<i> in sale order
  const m = /^fs-(p|i0|o|i)-(\d+)$/.exec(webhookId)!;
  const n = Number(m[2]);
  return m[1] === "p" ? n * 2 : m[1] === "i0" ? n * 2 + 1 : 1_000_000 + n * 2 + (m[1] === "i" ? 1 : 0);
}

console.log(
  `# ${new Date().toISOString()} ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (const shops of SHOPS) {
  for (const workers of WORKERS) {
    const r = await run(workers, shops);
    console.log(JSON.stringify({ ...r, load1: +os.loadavg()[0]!.toFixed(2) }));
  }
}
