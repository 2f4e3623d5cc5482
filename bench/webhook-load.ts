// Webhook load against the app as production serves it: `npm start` on a built app
// (server/main.ts, remix-serve before decision 0031; the real /webhooks route, the worker the web process runs), HMAC-signed
// deliveries from many concurrent senders. Records refusals, ack latency (p50/p99/max, acks
// over Shopify's 5 s), RSS of every process of the app before and after, the time until the
// worker has applied everything, and how long SIGTERM takes to stop the app.
//
//   npx tsx bench/webhook-load.ts [sqlite|postgres] [--app DIR] [--no-build]
//   knobs: DELIVERIES=5000 SENDERS=64 BIG_ORDER_LINES=0 SENDER=fetch WORKER=on CPU_PROF_DIR=
//
// SENDER=lean: the deliveries are signed before the clock starts and sent from a process of its
// own over node:http keep-alive sockets (bench/support/lean-sender.ts), so the senders' CPU is
// small and counted apart; SENDER=fetch (default): each sender signs, then fetch()es, in this
// process, as the figures before decision 0040 were taken.
// WORKER=after: the app runs with BACKORDER_WORKER=off (no worker child) and this bench starts
// `npm run worker` in the app's checkout once the last delivery is acknowledged, so the web
// process's own ceiling shows; WORKER=on (default) is production: the web process's child.
// CPU_PROF_DIR=dir: every node process of the app writes a V8 CPU profile there when it exits.
//
// BIG_ORDER_LINES=100000 first sends one signed order of that many lines (about 20 MB), then
// the load; a probe GETs / every 100 ms throughout, to show whether the worker's work on the
// big order holds up the web process's requests.
//
// --app DIR serves another checkout (e.g. a worktree of an older commit) with this bench, so
// a change and what it replaces are measured in the same run on the same machine.
import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { createDb } from "../app/db/client.server.ts";
import { shopifyWebhookHeaders } from "../dev/webhook-signing.ts";
import { flashSale } from "../dev/fixtures/flash-sale.ts";
import { orderPayload } from "../dev/fixtures/shopify-payloads.ts";
import { throwawayDatabase } from "./support/throwaway-database.ts";
import type { LeanResult } from "./support/lean-sender.ts";
import { API_VERSION } from "../app/shopify-app.server.ts";

const args = process.argv.slice(2);
const provider = args.includes("postgres") ? "postgres" : "sqlite";
const appDir = path.resolve(args.includes("--app") ? args[args.indexOf("--app") + 1]! : ".");
const DELIVERIES = Number(process.env.DELIVERIES ?? 5000);
const SENDERS = Number(process.env.SENDERS ?? 64);
const BIG_ORDER_LINES = Number(process.env.BIG_ORDER_LINES ?? 0);
const SENDER = process.env.SENDER === "lean" ? "lean" : "fetch";
const WORKER = process.env.WORKER === "after" ? "after" : "on";
const CPU_PROF_DIR = process.env.CPU_PROF_DIR ? path.resolve(process.env.CPU_PROF_DIR) : undefined;
const SECRET = "bench-load-secret";
const SHOP = "load-bench.myshopify.com";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

type Proc = { pid: number; cmd: string; rssMb: number; cpuMs: number };
// /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ, 100 on Linux).
const TICK_MS = 10;

/** Every process below `pid` (npm → sh → remix-serve → worker child …), with its RSS and CPU time so far. */
function processTree(pid: number): Proc[] {
  const out: Proc[] = [];
  const visit = (p: number) => {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, "utf8");
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").filter(Boolean).slice(0, 3).join(" ");
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
      out.push({ pid: p, cmd: cmd.replace(appDir, "."), rssMb: Math.round(rss), cpuMs });
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        const kids = fs.readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim();
        for (const k of kids ? kids.split(/\s+/) : []) visit(Number(k));
      }
    } catch {
      // the process ended while we looked
    }
  };
  visit(pid);
  // npm and sh are launchers: report the node processes that do the work.
  return out.filter((p) => /node/.test(p.cmd) && !/npm-cli|\/npm /.test(p.cmd));
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (!args.includes("--no-build") || !fs.existsSync(path.join(appDir, "build/server/index.js"))) {
  const b = spawnSync("npm", ["run", "build"], { cwd: appDir, stdio: "ignore" });
  if (b.status !== 0) throw new Error(`npm run build failed in ${appDir}`);
}

const database = await throwawayDatabase(provider, "load");
const db = createDb(database.url);
const port = await freePort();
const env = {
  ...process.env,
  NODE_ENV: "production" as const,
  PORT: String(port),
  DATABASE_URL: database.url,
  SHOPIFY_API_KEY: "bench-load",
  SHOPIFY_API_SECRET: SECRET,
  SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
  ...(WORKER === "after" ? { BACKORDER_WORKER: "off" } : {}),
};
const appEnv = {
  ...env,
  ...(CPU_PROF_DIR ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${CPU_PROF_DIR}`.trim() } : {}),
};
const app: ChildProcess = spawn("npm", ["start"], { cwd: appDir, env: appEnv, stdio: ["ignore", "ignore", "pipe"], detached: true });
let appErr = "";
app.stderr!.on("data", (c: Buffer) => (appErr = (appErr + c.toString()).slice(-4000)));
const url = `http://127.0.0.1:${port}/webhooks`;
for (let i = 0; ; i++) {
  try {
    await fetch(`http://127.0.0.1:${port}/`);
    break;
  } catch {
    if (i > 600) throw new Error(`the app did not start: ${appErr}`);
    await sleep(100);
  }
}
await sleep(2000); // the worker child (if any) is up
const rssBefore = processTree(app.pid!);

// The probe: a plain page of the web process, every 100 ms, until the end.
const probe: number[] = [];
let probing = true;
const probeLoop = (async () => {
  while (probing) {
    const s = performance.now();
    try {
      await (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(60_000) })).arrayBuffer();
    } catch {
      // counted as its time
    }
    probe.push(performance.now() - s);
    await sleep(100);
  }
})();

let bigOrder: { status: string; bytes: number } | null = null;
if (BIG_ORDER_LINES > 0) {
  const body = JSON.stringify(
    orderPayload({
      id: 9_100_000_000_001,
      createdAt: "2026-11-20T10:00:00Z",
      lines: Array.from({ length: BIG_ORDER_LINES }, (_, i) => ({
        id: 9_200_000_000_000 + i,
        variantId: 40_000_000 + (i % 50),
        quantity: 1,
      })),
    }),
  );
  const headers = shopifyWebhookHeaders({
    shop: SHOP,
    topic: "orders/create",
    apiVersion: API_VERSION,
    webhookId: "big-order",
    secret: SECRET,
    body,
  });
  const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(60_000) }).catch((e: Error) => e);
  bigOrder = { status: res instanceof Error ? res.name : String(res.status), bytes: Buffer.byteLength(body) };
}

const deliveries = flashSale({ orders: Math.ceil(DELIVERIES / 2), variants: 50, stockPerVariant: 40 }).slice(0, DELIVERIES);
const bodies = deliveries.map((d) => JSON.stringify(d.payload));
const latencies: number[] = [];
const statuses = new Map<string, number>();
let next = 0;
/** CPU time of each PostgreSQL server process on the machine (its backends serve the app's pool). */
const postgresCpuMs = () =>
  new Map(
    fs
      .readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d): [string, number][] => {
        try {
          const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
          if (!stat.includes("(postgres)")) return [];
          const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          return [[d, (Number(fields[11]) + Number(fields[12])) * TICK_MS]];
        } catch {
          return [];
        }
      }),
  );
/** CPU spent between two readings by the server processes alive at both (backends that came and went are missed). */
const cpuSince = (before: Map<string, number>, after: Map<string, number>) =>
  [...after].reduce((sum, [pid, ms]) => sum + (before.has(pid) ? ms - before.get(pid)! : 0), 0);
// SENDER=lean: signed now, before the clock, and handed to the sender process.
/** Delivery i's headers as Shopify signs them. */
const signedHeaders = (i: number) => {
  const d = deliveries[i]!;
  return shopifyWebhookHeaders({
    shop: SHOP,
    topic: d.topic,
    apiVersion: API_VERSION,
    webhookId: d.webhookId,
    secret: SECRET,
    body: bodies[i]!,
  });
};
let lean: ChildProcess | undefined;
if (SENDER === "lean") {
  lean = fork(path.join(import.meta.dirname, "support/lean-sender.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const requests = deliveries.map((_, i) => ({ headers: signedHeaders(i), body: bodies[i]! }));
  const ready = new Promise((resolve) => lean!.once("message", resolve));
  lean.send({ job: { url, senders: SENDERS, requests } });
  await ready;
}
/** CPU time of the whole machine so far, busy (every process's, ours and others') and all, from /proc/stat. */
const machineCpuMs = () => {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const all = f.reduce((a, b) => a + b, 0);
  return { busy: (all - f[3]! - f[4]!) * TICK_MS, all: all * TICK_MS };
};
const machineAtStart = machineCpuMs();
const cpuAtStart = processTree(app.pid!);
const benchCpuAtStart = process.cpuUsage();
const postgresCpuAtStart = postgresCpuMs();
let senderCpuMs = 0;
const t0 = performance.now();
if (lean) {
  const done = new Promise<LeanResult>((resolve) => lean!.once("message", (m) => resolve(m as LeanResult)));
  lean.send({ go: true });
  const result = await done;
  latencies.push(...result.latencies);
  for (const [status, n] of Object.entries(result.statuses)) statuses.set(status, n);
  senderCpuMs = result.cpuMs;
} else {
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < deliveries.length) {
        const i = next++;
        const headers = signedHeaders(i);
        const s = performance.now();
        let status: string;
        try {
          const res = await fetch(url, { method: "POST", headers, body: bodies[i]!, signal: AbortSignal.timeout(30_000) });
          await res.arrayBuffer();
          status = String(res.status);
        } catch (e) {
          status = (e as Error).name;
        }
        latencies.push(performance.now() - s);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
}
const ingestMs = performance.now() - t0;
const machineAtEnd = machineCpuMs();
latencies.sort((a, b) => a - b);
const rssAfterIngest = processTree(app.pid!);
// CPU milliseconds spent per delivery during the ingest, by process: the app's (web, worker child),
// the senders' (this bench's own with SENDER=fetch: signing, fetch; else the lean sender process's,
// while this one only waits), and PostgreSQL's server processes.
const benchCpu = process.cpuUsage(benchCpuAtStart);
const sendersCpuMs = SENDER === "lean" ? senderCpuMs : (benchCpu.user + benchCpu.system) / 1000;
const perDelivery = (ms: number) => +(ms / deliveries.length).toFixed(3);
const cpuPerDeliveryMs = {
  ...Object.fromEntries(
    rssAfterIngest.map((p) => [
      `${p.pid} ${p.cmd.slice(0, 60)}`,
      perDelivery(p.cpuMs - (cpuAtStart.find((q) => q.pid === p.pid)?.cpuMs ?? 0)),
    ]),
  ),
  senders: perDelivery(sendersCpuMs),
  ...(provider === "postgres" ? { postgresServer: perDelivery(cpuSince(postgresCpuAtStart, postgresCpuMs())) } : {}),
};

// WORKER=after: the worker starts now, as `npm run worker` beside the app (its own process group,
// stopped with the app below).
const lateWorker =
  WORKER === "after"
    ? spawn("npm", ["run", "worker"], { cwd: appDir, env, stdio: ["ignore", "ignore", "inherit"], detached: true })
    : undefined;
// The worker applies what was taken in; wait until nothing is left to do.
const w0 = performance.now();
let unfinished = -1;
for (let i = 0; i < 1200; i++) {
  unfinished = await db.webhookInbox.count({ where: { status: { in: ["pending", "processing", "failed"] } } });
  if (unfinished === 0) break;
  await sleep(500);
}
const drainSeconds = (performance.now() - w0) / 1000;
const inbox = await db.webhookInbox.groupBy({ by: ["status"], _count: true });
const rssAfterDrain = processTree(app.pid!);
probing = false;
await probeLoop;
probe.sort((a, b) => a - b);

// SIGTERM to the whole group, as a process manager stops the app.
const s0 = performance.now();
const exited = new Promise<number | null>((r) => app.once("exit", (code) => r(code)));
process.kill(-app.pid!, "SIGTERM");
if (lateWorker) process.kill(-lateWorker.pid!, "SIGTERM");
const stopped = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
const stopSeconds = (performance.now() - s0) / 1000;
if (!stopped) process.kill(-app.pid!, "SIGKILL");
await sleep(500);
const leftover = processTree(app.pid!).length;

const sumRss = (t: { rssMb: number }[]) => t.reduce((s, p) => s + p.rssMb, 0);
console.log(
  JSON.stringify(
    {
      provider,
      app: appDir,
      commit: spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: appDir, encoding: "utf8" }).stdout.trim(),
      deliveries: deliveries.length,
      senders: SENDERS,
      sender: SENDER,
      worker: WORKER,
      statuses: Object.fromEntries(statuses),
      ackP50ms: Math.round(pct(latencies, 50)),
      ackP99ms: Math.round(pct(latencies, 99)),
      ackMaxMs: Math.round(latencies.at(-1) ?? NaN),
      acksOver5s: latencies.filter((l) => l > 5000).length,
      ingestPerSec: Math.round(deliveries.length / (ingestMs / 1000)),
      cpuPerDeliveryMs,
      // The machine's busy CPU during the ingest, in cores (2 here), and per delivery: what is
      // more than the processes above is other work on the machine.
      machineBusyCores: +((machineAtEnd.busy - machineAtStart.busy) / ingestMs).toFixed(2),
      machineBusyPerDeliveryMs: perDelivery(machineAtEnd.busy - machineAtStart.busy),
      rssBeforeMb: sumRss(rssBefore),
      rssAfterIngestMb: sumRss(rssAfterIngest),
      rssAfterDrainMb: sumRss(rssAfterDrain),
      processes: rssAfterDrain.map((p) => `${p.cmd} ${p.rssMb} MB`),
      bigOrder,
      probeGets: probe.length,
      probeP99ms: Math.round(pct(probe, 99)),
      probeMaxMs: Math.round(probe.at(-1) ?? NaN),
      drainSecondsAfterLastAck: +drainSeconds.toFixed(1),
      inbox: Object.fromEntries(inbox.map((g) => [g.status, g._count])),
      unfinished,
      sigtermStoppedSeconds: stopped ? +stopSeconds.toFixed(1) : ">30",
      processesLeftAfterStop: leftover,
    },
    null,
    2,
  ),
);
await db.$disconnect();
await database.drop();
