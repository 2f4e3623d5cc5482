// The worker keeps the figures snapshots warm (decision 0032): after it has applied a shop's
// webhooks, the dashboard's and the planning page's snapshots exist and hold the figures of
// the queue it left, with no admin request, and the dashboard's loader reads them as they
// are (nothing computed inline). The warmer's debounce (one recomputation per shop per
// interval), its sweep of installed shops (missing or old snapshots; not uninstalled shops),
// and a figure set another process is recomputing (left to it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { sellOutDay } from "../../dev/fixtures/sell-out-day.ts";
import { startWorkerLoops } from "../../app/worker/worker-loops.server.ts";
import { FiguresWarmer } from "../../app/worker/figures-warmer.server.ts";
import { loadDashboard, loadDashboardSnapshot } from "../../app/admin/metrics.server.ts";
import { loadPlans, loadPlanningSnapshot } from "../../app/admin/planning.server.ts";
import { FRESH_MS } from "../../app/admin/figures-snapshot.server.ts";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";

const SHOP = "warm.myshopify.com";
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("figures_warm");
});
afterAll(() => t?.drop());

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const snapshotRow = (shop: string, key: string) => t.db.figuresSnapshot.findUnique({ where: { shop_key: { shop, key } } });

describe("the worker keeps the figures snapshots warm", () => {
  it("after the worker applied the webhooks, both snapshots hold the queue it left; the dashboard reads it without computing", async () => {
    await t.db.shopSettings.create({ data: { shop: SHOP, currency: "EUR" } });
    const door = webhookDoor(t.db);
    for (const d of sellOutDay()) {
      const r = await door(signedWebhookRequest({ shop: SHOP, topic: d.topic, payload: d.payload, webhookId: d.webhookId }));
      expect(r.status).toBe(200);
    }
    expect(await t.db.figuresSnapshot.count()).toBe(0);

    const stop = new AbortController();
    const logs: string[] = [];
    // A short interval: the last chunk's change is refreshed at once rather than 30 s later.
    // The warmer runs on its own thread, with its own client of this database (decision 0034).
    const loops = startWorkerLoops(t.db, stop.signal, (l) => logs.push(l), { figures: { minIntervalMs: 50 }, databaseUrl: t.url });
    loops.wakeInbox();
    let rows;
    try {
      rows = await waitFor("the snapshots after the last chunk", async () => {
        if ((await t.db.webhookInbox.count({ where: { shop: SHOP, status: { not: "done" } } })) > 0) return null;
        // Every chunk committed; the warmer has refreshed after the last one.
        if (!loops.figures.idle) return null;
        const [dashboard, plans] = await Promise.all([snapshotRow(SHOP, "dashboard:week:EUR"), snapshotRow(SHOP, "plans:30")]);
        return dashboard && plans ? { dashboard, plans } : null;
      });
    } finally {
      stop.abort();
      await loops.done;
    }
    expect(logs.some((l) => /figures: \d+ shop\(s\) refreshed/.test(l))).toBe(true);
    expect(await t.db.backorderLine.count({ where: { shop: SHOP, state: "waiting" } })).toBeGreaterThan(0);

    // Exactly the loaders' figures as of the snapshot's time.
    const asOf = rows.dashboard.asOf;
    const expected = await loadDashboard(t.db, SHOP, { now: asOf, granularity: "week", shopCurrency: "EUR" });
    expect(JSON.parse(rows.dashboard.payload)).toEqual(expected);
    expect(expected.openLines).toBeGreaterThan(0);
    expect(JSON.parse(rows.plans.payload)).toEqual(await loadPlans(t.db, SHOP, rows.plans.asOf, 30));

    // The merchant's first visit: served from the snapshot (its own asOf, not the load's time), nothing started.
    const visit = new Date(asOf.getTime() + FRESH_MS - 1);
    const dashboard = await loadDashboardSnapshot(t.db, SHOP, { granularity: "week", shopCurrency: "EUR" }, { now: visit });
    expect(dashboard.asOf).toEqual(asOf);
    expect(dashboard.refreshing).toBeNull();
    expect(dashboard.value).toEqual(expected);
    const planning = await loadPlanningSnapshot(t.db, SHOP, {}, { now: new Date(rows.plans.asOf.getTime() + 1) });
    expect(planning.asOf).toEqual(rows.plans.asOf);
    expect(planning.refreshing).toBeNull();
  }, 120_000);

  it("recomputes a changed shop at most once per interval, then again once it has passed", async () => {
    let clock = new Date();
    const warmer = new FiguresWarmer(t.db, { now: () => clock, minIntervalMs: 30_000, sweepMs: Infinity, log: () => undefined });
    await t.db.figuresSnapshot.deleteMany({ where: { shop: SHOP } });
    // A change not known to be committed yet is not refreshed.
    warmer.changed(SHOP);
    expect((await warmer.pass()).refreshed).toEqual([]);
    warmer.committed();
    expect((await warmer.pass()).refreshed).toEqual([SHOP]);
    const first = (await snapshotRow(SHOP, "dashboard:week:EUR"))!.asOf;

    clock = new Date(clock.getTime() + 10_000);
    warmer.changed(SHOP);
    warmer.committed();
    expect(await warmer.pass()).toEqual({ refreshed: [], waiting: 1 });
    expect((await snapshotRow(SHOP, "dashboard:week:EUR"))!.asOf).toEqual(first);

    clock = new Date(clock.getTime() + 20_001);
    expect(await warmer.pass()).toEqual({ refreshed: [SHOP], waiting: 0 });
    expect((await snapshotRow(SHOP, "dashboard:week:EUR"))!.asOf.getTime()).toBeGreaterThan(first.getTime());
  });

  it("sweeps installed shops whose snapshots are missing or old, every set each has; leaves fresh and uninstalled shops", async () => {
    const NEW = "warm-new.myshopify.com";
    const OLD = "warm-old.myshopify.com";
    const GONE = "warm-gone.myshopify.com";
    await seedAdminShop(t.db, { shop: NEW, lines: 60, seed: 5, problems: false });
    await seedAdminShop(t.db, { shop: OLD, lines: 60, seed: 6, problems: false });
    for (const shop of [NEW, OLD, GONE]) await t.db.shopSettings.upsert({ where: { shop }, create: { shop }, update: {} });
    await t.db.shopSettings.update({ where: { shop: GONE }, data: { uninstalledAt: new Date() } });
    const now = new Date();
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    // OLD viewed its daily chart and a 60-day cover some time ago; its default sets are there but one is old.
    await t.db.figuresSnapshot.createMany({
      data: [
        { shop: OLD, key: "dashboard:week:USD", payload: "{}", asOf: hoursAgo(7) },
        { shop: OLD, key: "plans:30", payload: "{}", asOf: hoursAgo(1) },
        { shop: OLD, key: "plans:60", payload: "{}", asOf: hoursAgo(1) },
        { shop: OLD, key: "unknown:1", payload: "{}", asOf: hoursAgo(100) },
      ],
    });
    const warmer = new FiguresWarmer(t.db, { now: () => now, maxAgeMs: 6 * 3_600_000, log: () => undefined });
    const r = await warmer.pass();
    expect(r.refreshed).toContain(NEW);
    expect(r.refreshed).toContain(OLD);
    expect(r.refreshed).not.toContain(GONE);
    const keys = async (shop: string) =>
      (await t.db.figuresSnapshot.findMany({ where: { shop }, orderBy: { key: "asc" } })).map((s) => [s.key, s.asOf >= now]);
    expect(await keys(NEW)).toEqual([
      ["dashboard:week:USD", true],
      ["plans:30", true],
    ]);
    expect(await keys(OLD)).toEqual([
      ["dashboard:week:USD", true],
      ["plans:30", true],
      ["plans:60", true],
      ["unknown:1", false],
    ]);
    expect(await keys(GONE)).toEqual([]);
    // Nothing left to do: the next sweep (forced) finds every installed shop warm.
    const again = new FiguresWarmer(t.db, { now: () => now, maxAgeMs: 6 * 3_600_000, log: () => undefined });
    expect((await again.pass()).refreshed).toEqual([]);
  });

  it("leaves a figure set another process holds the lease of, and tries again after the interval", async () => {
    const now = new Date();
    await t.db.figuresSnapshot.updateMany({
      where: { shop: SHOP },
      data: { asOf: new Date(now.getTime() - 60_000), refreshingUntil: new Date(now.getTime() + 60_000) },
    });
    let clock = now;
    const warmer = new FiguresWarmer(t.db, { now: () => clock, minIntervalMs: 1_000, sweepMs: Infinity, log: () => undefined });
    warmer.mark(SHOP);
    expect(await warmer.pass()).toEqual({ refreshed: [], waiting: 1 });
    await t.db.figuresSnapshot.updateMany({ where: { shop: SHOP }, data: { refreshingUntil: null } });
    clock = new Date(now.getTime() + 1_000);
    expect(await warmer.pass()).toEqual({ refreshed: [SHOP], waiting: 0 });
  });
});
