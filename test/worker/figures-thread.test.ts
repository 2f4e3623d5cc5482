// The figures warmer on its own thread (decision 0034): the loops' thread only posts the
// shops its committed chunks changed; the thread, on its own database client, refreshes
// their snapshots to the loaders' figures, relays its log lines, says when it has caught up
// (`idle`), leaves a change that never committed alone, stops with the loops, and is started
// again when it dies, with the marks it took with it.
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { startFiguresThread, type FiguresThread } from "../../app/worker/figures-thread.server.ts";
import { loadDashboard } from "../../app/admin/metrics.server.ts";
import { loadPlans } from "../../app/admin/planning.server.ts";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";

const A = "thread-a.myshopify.com";
const B = "thread-b.myshopify.com";
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("figures_thread");
  await seedAdminShop(t.db, { shop: A, lines: 80, seed: 7, problems: false });
  await seedAdminShop(t.db, { shop: B, lines: 40, seed: 8, problems: false });
});
afterAll(() => t?.drop());

async function waitFor<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const snapshotRow = (shop: string, key: string) => t.db.figuresSnapshot.findUnique({ where: { shop_key: { shop, key } } });

async function withThread(run: (thread: FiguresThread, logs: string[]) => Promise<void>, url = t.url) {
  const stop = new AbortController();
  const logs: string[] = [];
  // No sweep: only what the test marks is refreshed.
  const thread = startFiguresThread(url, stop.signal, (l) => logs.push(l), { minIntervalMs: 50, sweepMs: Infinity });
  try {
    await run(thread, logs);
  } finally {
    stop.abort();
    await thread.done;
  }
}

describe("the figures warmer's thread", () => {
  it("refreshes the shops a committed chunk changed, to the loaders' figures; a change not committed waits for its commit", async () => {
    await withThread(async (thread, logs) => {
      thread.changed(A); // in a transaction that has not committed yet
      thread.mark(B); // a new day in B
      expect(thread.idle).toBe(false);
      const b = await waitFor("B's snapshot", () => snapshotRow(B, "plans:30"));
      expect(JSON.parse(b.payload)).toEqual(await loadPlans(t.db, B, b.asOf, 30));
      // B is done, A's change is still pending here: nothing of A's computed before its commit.
      expect(await t.db.figuresSnapshot.count({ where: { shop: A } })).toBe(0);
      expect(thread.idle).toBe(false);

      thread.committed();
      expect(thread.idle).toBe(false);
      await waitFor("the thread to catch up", () => (thread.idle ? true : null));
      const [dashboard, plans] = await Promise.all([snapshotRow(A, "dashboard:week:USD"), snapshotRow(A, "plans:30")]);
      expect(JSON.parse(dashboard!.payload)).toEqual(
        await loadDashboard(t.db, A, { now: dashboard!.asOf, granularity: "week", shopCurrency: "USD" }),
      );
      expect(JSON.parse(plans!.payload)).toEqual(await loadPlans(t.db, A, plans!.asOf, 30));
      // Its log lines reach the loops' log.
      expect(logs.some((l) => /figures: 1 shop\(s\) refreshed/.test(l))).toBe(true);
    });
  }, 120_000);

  it("a later committed change is refreshed again once the interval (50 ms here, counted on the snapshot's asOf) has passed", async () => {
    await withThread(async (thread) => {
      const before = (await snapshotRow(A, "plans:30"))!.asOf;
      thread.changed(A);
      thread.committed();
      await waitFor("the thread to catch up", () => (thread.idle ? true : null));
      expect((await snapshotRow(A, "plans:30"))!.asOf.getTime()).toBeGreaterThan(before.getTime());
    });
  }, 120_000);

  it("a database it cannot reach is logged as an outage, and the thread still stops with the loops", async () => {
    const logs: string[] = [];
    const stop = new AbortController();
    const url = t.provider === "postgres" ? "postgresql://postgres@127.0.0.1:1/nowhere" : "file:/nonexistent-dir/figures.sqlite";
    // With the sweep on, the first pass reads the installed shops.
    const thread = startFiguresThread(url, stop.signal, (l) => logs.push(l));
    await waitFor("the outage's log line", () => (logs.some((l) => /figures: database unavailable/.test(l)) ? true : null));
    stop.abort();
    await thread.done;
    thread.mark(A); // after the stop: nothing to post to, nothing thrown
  }, 60_000);

  it("a thread that dies is started again, and the marks it had not settled are sent to the new one", async () => {
    const marker = join(tmpdir(), `figures-crash-${process.pid}-${Date.now()}`);
    process.env.FIGURES_CRASH_MARKER = marker;
    await t.db.figuresSnapshot.deleteMany({ where: { shop: B } });
    const stop = new AbortController();
    const logs: string[] = [];
    const entry = new URL("./support/crashing-figures-entry.ts", import.meta.url);
    const thread = startFiguresThread(t.url, stop.signal, (l) => logs.push(l), { minIntervalMs: 50, sweepMs: Infinity }, entry);
    try {
      thread.mark(B); // the first thread dies on this mark, before its warmer sees it
      const b = await waitFor("B's snapshot, from the second thread", () => snapshotRow(B, "plans:30"));
      expect(JSON.parse(b.payload)).toEqual(await loadPlans(t.db, B, b.asOf, 30));
      await waitFor("the new thread to catch up", () => (thread.idle ? true : null));
      expect(existsSync(marker)).toBe(true);
      expect(logs.some((l) => /figures thread failed: the figures thread crashed on a mark/.test(l))).toBe(true);
      expect(logs.some((l) => /figures thread exited \(code 1\); starting it again in 1000 ms/.test(l))).toBe(true);
    } finally {
      stop.abort();
      await thread.done;
      rmSync(marker, { force: true });
      delete process.env.FIGURES_CRASH_MARKER;
    }
  }, 120_000);

  it("a thread that keeps dying is started again later each time, and a stop meanwhile ends it", async () => {
    process.env.FIGURES_CRASH_ALWAYS = "1";
    const stop = new AbortController();
    const logs: string[] = [];
    const entry = new URL("./support/crashing-figures-entry.ts", import.meta.url);
    try {
      const thread = startFiguresThread(t.url, stop.signal, (l) => logs.push(l), { sweepMs: Infinity }, entry);
      await waitFor("a second restart", () => (logs.some((l) => /starting it again in 2000 ms/.test(l)) ? true : null));
      expect(logs.filter((l) => /starting it again in 1000 ms/.test(l))).toHaveLength(1);
      thread.mark(A);
      expect(thread.idle).toBe(false); // a mark no thread has settled
      stop.abort(); // while it waits to start again: done resolves, no new thread
      await thread.done;
      const restarts = logs.filter((l) => /starting it again/.test(l)).length;
      await new Promise((r) => setTimeout(r, 2_500));
      expect(logs.filter((l) => /starting it again/.test(l)).length).toBe(restarts);
    } finally {
      delete process.env.FIGURES_CRASH_ALWAYS;
    }
  }, 60_000);
});
