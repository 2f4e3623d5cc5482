// Merchant admin on a large shop: 100,000 backorder lines (seeded with createMany in
// chunks), then the queue page's loader work (loadQueuePage: one page of 50 with FIFO
// positions and ship dates) for the views a merchant uses, the dashboard aggregates and the
// planning page (each the current loader and, in the same run on the same database, main's
// before docs/decisions/0022-admin-figures-speed.md: bench/support/*-main.ts, alternating
// run by run so load on the machine falls on both alike), one variant's plan, and the full
// CSV export; then what the two pages load since docs/decisions/0027-figures-snapshot.md (the
// figures snapshot: a fresh one read, a stale one read with its recomputation left to after
// the response, as the page does, and that recomputation's own cost); and, since
// docs/decisions/0032, the first load of a shop without a worker (computed inline) beside the
// first load after the worker's warmer has run. Figures and the command are in bench/README.md ("## Admin").
//
//   npx tsx bench/admin-queue.ts            # SQLite (temporary file)
//   npx tsx bench/admin-queue.ts postgres   # PostgreSQL at TEST_POSTGRES_URL (throw-away database)
//   knobs: LINES=100000 VARIANTS=5000 RUNS=15 CSV=0 (skips the CSV export) QUEUE=0 (skips the queue pages)
import { performance } from "node:perf_hooks";
import { loadQueuePage } from "../app/admin/queue.server.ts";
import { loadDashboard, loadDashboardSnapshot } from "../app/admin/metrics.server.ts";
import { loadPlanningOverview, loadPlanningSnapshot, loadVariantPlanning } from "../app/admin/planning.server.ts";
import { FRESH_MS } from "../app/admin/figures-snapshot.server.ts";
import { FiguresWarmer } from "../app/worker/figures-warmer.server.ts";
import { fromCalendarDate } from "../app/backorder/eta.ts";
import { loadDashboard as loadDashboardMain } from "./support/dashboard-main.ts";
import { loadPlanningOverview as loadPlanningOverviewMain } from "./support/planning-main.ts";
import { queueCsvStream } from "../app/admin/queue-export.server.ts";
import { DEFAULT_QUERY, decodeCursor, type QueueQuery } from "../app/admin/queue-query.ts";
import { seedAdminShop } from "../dev/seed/admin-shop.ts";
import { createTestDatabase } from "../test/support/db.ts";

process.env.TEST_DATABASE = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const LINES = Number(process.env.LINES ?? 100_000);
const VARIANTS = Number(process.env.VARIANTS ?? 5000);
const RUNS = Number(process.env.RUNS ?? 15);
const SHOP = "large.myshopify.com";

const t = await createTestDatabase("bench_admin");
try {
  let started = performance.now();
  const seeded = await seedAdminShop(t.db, { shop: SHOP, lines: LINES, variants: VARIANTS });
  // A small neighbour, so every query has another shop's rows to skip.
  await seedAdminShop(t.db, { shop: "small.myshopify.com", lines: 300, seed: 3 });
  await seedPlanning(t.db, SHOP, seeded.variantIds);
  // Statistics, as PostgreSQL's autovacuum gathers them and SQLite's PRAGMA optimize would:
  // SQLite's plans for the GROUP BYs differ with and without them (docs/decisions/0022).
  await t.db.$executeRawUnsafe("ANALYZE");
  console.log(
    `${t.provider}: seeded ${LINES} lines (${seeded.waitingLines} waiting) over ${VARIANTS} variants in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const q = (over: Partial<QueueQuery>): QueueQuery => ({ ...DEFAULT_QUERY, ...over });
  // A cursor deep in the queue: the page after ~90% of the waiting lines.
  const deep = await t.db.backorderLine.findMany({
    where: { shop: SHOP, state: "waiting" },
    orderBy: [{ orderedAt: "asc" }, { lineItemId: "asc" }],
    skip: Math.floor(seeded.waitingLines * 0.9),
    take: 1,
  });
  const deepCursor = deep[0] ? { sort: "oldest" as const, v: deep[0].orderedAt.toISOString(), id: deep[0].lineItemId } : null;
  const firstPage = await loadQueuePage(t.db, SHOP, q({}));
  const busyVariant = firstPage.rows[0]!.variantId;
  const views: [string, QueueQuery][] = [
    ["waiting, oldest first (page 1)", q({})],
    ["waiting, oldest first (page at 90%)", q({ after: deepCursor })],
    ["waiting, newest first", q({ sort: "newest" })],
    ["waiting, most units first", q({ sort: "waiting" })],
    ["one variant", q({ variantId: busyVariant })],
    ["older than 30 days", q({ minAgeDays: 30 })],
    ["search customer name", q({ search: "Rossi" })],
    ["all states", q({ state: "all" })],
  ];

  // Wall time, and this process's CPU time: on SQLite the database works in this process, so
  // its CPU figure holds steady when other work on the machine slows the wall clock.
  const time = async (fn: () => Promise<unknown>) => {
    const samples: number[] = [];
    const cpus: number[] = [];
    await fn(); // warm-up (query plans, page cache)
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      const c = process.cpuUsage();
      await fn();
      const used = process.cpuUsage(c);
      samples.push(performance.now() - s);
      cpus.push((used.user + used.system) / 1000);
    }
    const at = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;
    return { p50: at(samples, 0.5), p90: at(samples, 0.9), cpu: at(cpus, 0.5) };
  };

  console.log(`\n| view (${t.provider}) | p50 ms | p90 ms |\n| --- | ---: | ---: |`);
  for (const [label, query] of process.env.QUEUE === "0" ? [] : views) {
    const r = await time(() => loadQueuePage(t.db, SHOP, query));
    console.log(`| queue: ${label} | ${r.p50.toFixed(1)} | ${r.p90.toFixed(1)} |`);
  }
  if (process.env.QUEUE !== "0") {
    const next = decodeCursor(firstPage.nextCursor, "oldest");
    const r2 = await time(() => loadQueuePage(t.db, SHOP, q({ after: next })));
    console.log(`| queue: page 2 via cursor | ${r2.p50.toFixed(1)} | ${r2.p90.toFixed(1)} |`);
  }
  // Main's loader and the current one, alternating run by run (same load on both), then
  // the ratio of their medians: the figure to read on a busy machine.
  const pair = async (a: () => Promise<unknown>, b: () => Promise<unknown>) => {
    type Samples = { wall: number[]; cpu: number[] };
    const ra: Samples = { wall: [], cpu: [] };
    const rb: Samples = { wall: [], cpu: [] };
    await a();
    await b();
    for (let i = 0; i < RUNS; i++) {
      for (const [fn, r] of [
        [a, ra],
        [b, rb],
      ] as const) {
        const s = performance.now();
        const c = process.cpuUsage();
        await fn();
        const used = process.cpuUsage(c);
        r.wall.push(performance.now() - s);
        r.cpu.push((used.user + used.system) / 1000);
      }
    }
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;
    const p90 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.ceil(0.9 * xs.length) - 1)]!;
    const f = (r: Samples) => ({ p50: med(r.wall), p90: p90(r.wall), cpu: med(r.cpu) });
    return [f(ra), f(rb)] as const;
  };
  const cpu = t.provider === "sqlite" ? (r: { cpu: number }) => ` (CPU ${r.cpu.toFixed(1)})` : () => "";
  const row = (label: string, r: { p50: number; p90: number; cpu: number }, extra = "") =>
    console.log(`| ${label} | ${r.p50.toFixed(1)}${cpu(r)} | ${r.p90.toFixed(1)} |${extra}`);
  const [dashMain, dash] = await pair(
    () => loadDashboardMain(t.db, SHOP),
    () => loadDashboard(t.db, SHOP),
  );
  row("dashboard, main (before 0022)", dashMain);
  row("dashboard (all aggregates, promise accuracy)", dash, ` ×${(dashMain.p50 / dash.p50).toFixed(2)} faster (p50) |`);
  const [planMain, plan] = await pair(
    () => loadPlanningOverviewMain(t.db, SHOP, { filter: "at-risk" }),
    () => loadPlanningOverview(t.db, SHOP, { filter: "at-risk" }),
  );
  row(`planning page, main (before 0022)`, planMain);
  row(`planning page (${VARIANTS} variants, at risk)`, plan, ` ×${(planMain.p50 / plan.p50).toFixed(2)} faster (p50) |`);
  // The pages' loaders since 0027: the figures snapshot, fresh (read) and stale (read, the
  // recomputation started and, outside the timing, awaited as the server would run it).
  const snapRows = async (label: string, load: (now: Date) => Promise<{ refreshing: Promise<void> | null }>) => {
    await t.db.figuresSnapshot.deleteMany({ where: { shop: SHOP } });
    await load(new Date()); // no snapshot yet: computed inline and stored
    row(`${label}: fresh snapshot`, await time(() => load(new Date())));
    const stale: number[] = [];
    const refresh: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const snap = await t.db.figuresSnapshot.findFirstOrThrow({ where: { shop: SHOP } });
      let s = performance.now();
      const served = await load(new Date(snap.asOf.getTime() + FRESH_MS + 1));
      stale.push(performance.now() - s);
      s = performance.now();
      await served.refreshing;
      refresh.push(performance.now() - s);
    }
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;
    console.log(`| ${label}: stale snapshot served (recomputed after the response) | ${med(stale).toFixed(1)} | — |`);
    console.log(`| ${label}: that recomputation, off the request | ${med(refresh).toFixed(1)} | — |`);
  };
  await snapRows("dashboard", (now) => loadDashboardSnapshot(t.db, SHOP, {}, { now }));
  await snapRows(`planning page (${VARIANTS} variants, at risk)`, (now) =>
    loadPlanningSnapshot(t.db, SHOP, { filter: "at-risk" }, { now }),
  );
  // Since decision 0032: the merchant's first visit (no snapshot yet, or one older than a day).
  // Without a worker the page computes the figures inline (base's behaviour); with one, the
  // worker's warmer has stored them (timed apart: the worker's work, off any request) and the
  // first load reads them. Alternating run by run, each run from no snapshot at all.
  {
    type Samples = { wall: number[]; cpu: number[] };
    const sample = (): Samples => ({ wall: [], cpu: [] });
    const r = { inlineDash: sample(), inlinePlan: sample(), pass: sample(), warmDash: sample(), warmPlan: sample() };
    const timed = async <T>(into: Samples, fn: () => Promise<T>): Promise<T> => {
      const s = performance.now();
      const c = process.cpuUsage();
      const out = await fn();
      const used = process.cpuUsage(c);
      into.wall.push(performance.now() - s);
      into.cpu.push((used.user + used.system) / 1000);
      return out;
    };
    const dash = () => loadDashboardSnapshot(t.db, SHOP, {}, { now: new Date() });
    const plan = () => loadPlanningSnapshot(t.db, SHOP, { filter: "at-risk" }, { now: new Date() });
    for (let i = 0; i < RUNS; i++) {
      await t.db.figuresSnapshot.deleteMany({ where: { shop: SHOP } });
      await timed(r.inlineDash, dash);
      await timed(r.inlinePlan, plan);
      await t.db.figuresSnapshot.deleteMany({ where: { shop: SHOP } });
      const warmer = new FiguresWarmer(t.db, { sweepMs: Infinity, log: (l) => console.error(l) });
      warmer.mark(SHOP);
      const pass = await timed(r.pass, () => warmer.pass());
      if (pass.refreshed.length !== 1) throw new Error("the warmer did not refresh the shop");
      const d = await timed(r.warmDash, dash);
      const p = await timed(r.warmPlan, plan);
      // Read, not computed: the snapshot's time is the pass's, and nothing was started.
      if (d.refreshing || p.refreshing || Date.now() - d.asOf.getTime() < 1 || d.asOf.getTime() > Date.now())
        throw new Error("first load computed");
    }
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;
    const line = (label: string, x: Samples) =>
      console.log(`| ${label} | ${med(x.wall).toFixed(1)}${t.provider === "sqlite" ? ` (CPU ${med(x.cpu).toFixed(1)})` : ""} | — |`);
    line("first load, no worker: dashboard computed inline", r.inlineDash);
    line("first load, no worker: planning page computed inline", r.inlinePlan);
    line("the worker's pass for the shop (both figure sets, off any request)", r.pass);
    line("first load after the worker's pass: dashboard", r.warmDash);
    line("first load after the worker's pass: planning page", r.warmPlan);
  }

  const one = await time(() => loadVariantPlanning(t.db, SHOP, busyVariant));
  row("planning: one variant with history", one);

  if (process.env.CSV !== "0") {
    started = performance.now();
    const csv = await new Response(queueCsvStream(t.db, SHOP, q({ state: "all" }))).text();
    const rows = csv.split("\r\n").length - 2;
    console.log(
      `\nCSV export, all ${rows} lines: ${((performance.now() - started) / 1000).toFixed(2)} s, ${(csv.length / 1e6).toFixed(1)} MB`,
    );
  }
} finally {
  await t.drop();
}

/** Two batches for every third variant, and a first promise for every shipped line (as the variant sync records them). */
async function seedPlanning(db: typeof t.db, shop: string, variantIds: string[]) {
  const today = new Date().toISOString().slice(0, 10);
  const day = (d: number) => new Date(fromCalendarDate(today).getTime() + d * 86_400_000);
  const batches = variantIds
    .filter((_, i) => i % 3 === 0)
    .flatMap((variantId, i) => [
      { shop, variantId, arrivesOn: day(5 + (i % 20)), quantity: 10 + (i % 7) * 5, reference: `PO-${i}` },
      { shop, variantId, arrivesOn: day(30 + (i % 20)), quantity: 40 },
    ]);
  for (let i = 0; i < batches.length; i += 500) await db.incomingBatch.createMany({ data: batches.slice(i, i + 500) });
  const shipped = await db.backorderLine.findMany({
    where: { shop, fulfilledAt: { not: null }, backorderedAt: { not: null } },
    select: { lineItemId: true, variantId: true, backorderedAt: true },
  });
  const promises = shipped.map((l, i) => {
    const promised = new Date(l.backorderedAt!.getTime() + (3 + (i % 15)) * 86_400_000);
    const first = promised.toISOString().slice(0, 10);
    return {
      shop,
      lineItemId: l.lineItemId,
      variantId: l.variantId,
      firstPromised: first,
      firstPromisedAt: fromCalendarDate(first),
      promisedAt: l.backorderedAt!,
    };
  });
  for (let i = 0; i < promises.length; i += 500) await db.linePromise.createMany({ data: promises.slice(i, i + 500) });
}
