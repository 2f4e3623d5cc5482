// Where a flash-sale event's time goes in the worker: statements per event and their time,
// by kind of statement. Loads the flash sale straight into the inbox (no HTTP: see
// webhook-burst.ts for the door), then drains it with the production sync hooks, logging
// every statement Prisma sends.
// `npx tsx bench/engine-profile.ts [postgres]`; knobs: ORDERS=2000 VARIANTS=10 TOP=15; OPS=1 adds the
// client's wall time per model operation; KEEP=1 keeps the database (prints its URL);
// WORKER_ROOT=<checkout> drains with that checkout's worker (same bench, same client: a same-run
// comparison with main); CPU_PROFILE=<file> writes a CPU profile of the drain.
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../prisma/generated/sqlite/index.js";
import { PrismaClient as PostgresClient } from "../prisma/generated/postgres/index.js";
import fs from "node:fs";
import inspector from "node:inspector/promises";
import path from "node:path";
import type { Db } from "../app/db/client.server.ts";
import type * as Worker from "../app/worker/worker.server.ts";
import type * as WorkerHooks from "../app/worker/worker-hooks.server.ts";
import { flashSale } from "../dev/fixtures/flash-sale.ts";
import { throwawayDatabase } from "./support/throwaway-database.ts";

const provider = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const ORDERS = Number(process.env.ORDERS ?? 2_000);
const VARIANTS = Number(process.env.VARIANTS ?? 10);
const TOP = Number(process.env.TOP ?? 15);
const SHOP = "flash-sale.myshopify.com";
const WORKER_ROOT = path.resolve(process.env.WORKER_ROOT ?? path.join(import.meta.dirname, ".."));
const { drainInbox } = (await import(path.join(WORKER_ROOT, "app/worker/worker.server.ts"))) as typeof Worker;
const { workerHooks } = (await import(path.join(WORKER_ROOT, "app/worker/worker-hooks.server.ts"))) as typeof WorkerHooks;

const database = await throwawayDatabase(provider, "profile");
const log = { log: [{ emit: "event" as const, level: "query" as const }] };
const db = (provider === "postgres"
  ? new PostgresClient({ adapter: new PrismaPg({ connectionString: database.url }), ...log })
  : new SqliteClient({ adapter: new PrismaLibSQL({ url: database.url }), ...log })) as unknown as Db;

const deliveries = flashSale({ orders: ORDERS, variants: VARIANTS, stockPerVariant: 40 });
for (let i = 0; i < deliveries.length; i += 500) {
  await db.webhookInbox.createMany({
    data: deliveries
      .slice(i, i + 500)
      .map((d) => ({ shop: SHOP, topic: d.topic, webhookId: d.webhookId, payload: JSON.stringify(d.payload) })),
  });
}

// A statement's kind: its verb and table, literals and parameter lists folded.
const kindOf = (sql: string) => {
  const s = sql.replace(/\s+/g, " ").trim();
  const verb = /^(\w+)/.exec(s)?.[1]?.toUpperCase() ?? "?";
  const table = /(?:FROM|INTO|UPDATE)\s+(?:["`]?\w+["`]?\.)?["`]?(\w+)["`]?/i.exec(s)?.[1] ?? "";
  // An aggregate (a groupBy's COUNT) is told apart from a read of rows with the same WHERE.
  const aggregate = /^SELECT .{0,300}?\b(COUNT|SUM)\(/i.test(s) ? " (count)" : "";
  const where =
    /WHERE (.{0,90})/i
      .exec(s)?.[1]
      ?.replace(/\$\d+|\?/g, "?")
      .replace(/(\?,\s*)+\?/g, "?…") ?? "";
  return `${verb} ${table}${aggregate} ${where}`.slice(0, 130);
};
const byKind = new Map<string, { n: number; ms: number }>();
let statements = 0;
let dbMs = 0;
// The inbox's own bookkeeping (shops pass, claim, payload read, done) and the shop's lease, apart.
const byTable = new Map<string, { n: number; ms: number }>();
const tableOf = (sql: string) => /(?:FROM|INTO|UPDATE)\s+(?:["`]?\w+["`]?\.)?["`]?(\w+)["`]?/i.exec(sql)?.[1] ?? "";
(db as unknown as { $on(e: "query", f: (q: { query: string; duration: number }) => void): void }).$on("query", (q) => {
  statements++;
  dbMs += q.duration;
  const k = kindOf(q.query);
  const s = byKind.get(k) ?? { n: 0, ms: 0 };
  s.n++;
  s.ms += q.duration;
  byKind.set(k, s);
  const table = tableOf(q.query);
  if (table === "WebhookInbox" || table === "ShopLease" || table === "WebhookBodyPart") {
    const t = byTable.get(table) ?? { n: 0, ms: 0 };
    t.n++;
    t.ms += q.duration;
    byTable.set(table, t);
  }
});

// OPS=1: the client's wall time per model operation (compile + statement + row mapping), to find
// the JavaScript half: the time beyond the statements' own is the client's.
const byOp = new Map<string, { n: number; ms: number }>();
const drainDb = process.env.OPS
  ? ((db as unknown as { $extends(e: object): unknown }).$extends({
      query: {
        async $allOperations({
          model,
          operation,
          args,
          query,
        }: {
          model?: string;
          operation: string;
          args: unknown;
          query(a: unknown): Promise<unknown>;
        }) {
          const t = performance.now();
          try {
            return await query(args);
          } finally {
            // A raw statement by its kind (its text is the first argument).
            const text = Array.isArray(args) && typeof args[0] === "string" ? args[0] : undefined;
            const k = text ? `${operation} ${kindOf(text).slice(0, 60)}` : `${model ?? ""}.${operation}`;
            const o = byOp.get(k) ?? { n: 0, ms: 0 };
            o.n++;
            o.ms += performance.now() - t;
            byOp.set(k, o);
          }
        },
      },
    }) as Db)
  : db;

// CPU_PROFILE=<file>: a CPU profile of the drain alone (the fixture's load left out), for
// chrome://inspect or any .cpuprofile reader.
const profiler = process.env.CPU_PROFILE ? new inspector.Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.start");
}
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const drained = await drainInbox(drainDb, workerHooks());
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (profiler) {
  const { profile } = await profiler.post("Profiler.stop");
  fs.writeFileSync(process.env.CPU_PROFILE!, JSON.stringify(profile));
  profiler.disconnect();
}
const events = drained.processed;
console.log(
  JSON.stringify(
    {
      provider,
      worker: path.relative(process.cwd(), WORKER_ROOT) || ".",
      orders: ORDERS,
      variants: VARIANTS,
      events,
      failed: drained.failed,
      seconds: +(wallMs / 1000).toFixed(2),
      eventsPerSec: Math.round(events / (wallMs / 1000)),
      statementsPerEvent: +(statements / events).toFixed(2),
      dbMsPerEvent: +(dbMs / events).toFixed(3),
      wallMsPerEvent: +(wallMs / events).toFixed(3),
      // The worker process's own CPU (JavaScript, the client, the driver): less moved by other
      // processes on the machine than the wall time.
      cpuMsPerEvent: +((cpu.user + cpu.system) / 1000 / events).toFixed(3),
    },
    null,
    2,
  ),
);
console.log("inbox and lease statements (count, count per event, ms per event):");
for (const [k, s] of [...byTable].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${String(s.n).padStart(7)} ${(s.n / events).toFixed(4).padStart(8)} ${(s.ms / events).toFixed(3).padStart(8)}  ${k}`);
}
console.log("statements by kind (count, count per event, ms per event):");
for (const [k, s] of [...byKind].sort((a, b) => b[1].ms - a[1].ms).slice(0, TOP)) {
  console.log(`${String(s.n).padStart(7)} ${(s.n / events).toFixed(4).padStart(8)} ${(s.ms / events).toFixed(3).padStart(8)}  ${k}`);
}
if (byOp.size) {
  console.log("client operations (count per event, wall ms per event):");
  for (const [k, o] of [...byOp].sort((a, b) => b[1].ms - a[1].ms).slice(0, TOP)) {
    console.log(`${(o.n / events).toFixed(2).padStart(7)} ${(o.ms / events).toFixed(3).padStart(8)}  ${k}`);
  }
}
await db.$disconnect();
if (process.env.KEEP) console.log("kept", database.url);
else await database.drop();
if (drained.failed > 0) process.exit(1);
