// The figures snapshot the dashboard and the planning page load from: computed inline on a
// fresh install, served as is while fresh, served and recomputed after the response once
// stale (one recomputation at a time), computed inline again when too old, dropped when the
// merchant imports batches, and each shop's own. Every value served is the loader's figures
// as of the snapshot's time (the loaders themselves are checked against their definitions
// in dashboard-figures.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FRESH_MS, MAX_AGE_MS, snapshotOf } from "../../app/admin/figures-snapshot.server.ts";
import { loadDashboard, loadDashboardSnapshot } from "../../app/admin/metrics.server.ts";
import { importBatches, loadPlanningOverview, loadPlanningSnapshot } from "../../app/admin/planning.server.ts";
import { LINE_STATE } from "../../app/backorder/line-state.ts";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const SHOP = "snap.myshopify.com";
const NEIGHBOUR = "snap-neighbour.myshopify.com";
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("figures_snapshot");
  await seedAdminShop(t.db, { shop: SHOP, lines: 300, variants: 20, seed: 3, problems: false });
  await seedAdminShop(t.db, { shop: NEIGHBOUR, lines: 80, seed: 4, problems: false });
});
afterAll(() => t?.drop());

const later = (d: Date, ms: number) => new Date(d.getTime() + ms);

/** One more waiting line in the shop: the figures change. */
async function addWaitingLine(n: number) {
  const base = await t.db.backorderLine.findFirstOrThrow({ where: { shop: SHOP }, orderBy: { lineItemId: "asc" } });
  const at = new Date();
  await t.db.backorderLine.create({
    data: {
      ...base,
      lineItemId: `snap-extra-${n}`,
      orderId: `snap-order-${n}`,
      state: LINE_STATE.waiting,
      waitingQuantity: 2,
      quantity: 2,
      orderedAt: at,
      backorderedAt: at,
      allocatedAt: null,
      fulfilledAt: null,
      cancelledAt: null,
      updatedAt: undefined,
    },
  });
}

describe("dashboard figures snapshot", () => {
  it("computes inline without a snapshot, then serves it while fresh although the queue changed", async () => {
    const now = new Date();
    const first = await loadDashboardSnapshot(t.db, SHOP, { granularity: "week" }, { now });
    expect(first.asOf).toEqual(now);
    expect(first.refreshing).toBeNull();
    expect(first.value).toEqual(await loadDashboard(t.db, SHOP, { now, granularity: "week" }));
    expect(await t.db.figuresSnapshot.count({ where: { shop: SHOP } })).toBe(1);

    await addWaitingLine(1);
    const fresh = await loadDashboardSnapshot(t.db, SHOP, { granularity: "week" }, { now: later(now, FRESH_MS - 1) });
    expect(fresh.asOf).toEqual(now);
    expect(fresh.refreshing).toBeNull();
    expect(fresh.value).toEqual(first.value);
  });

  it("once stale, serves the snapshot and recomputes it once after the response", async () => {
    const row = await t.db.figuresSnapshot.findUniqueOrThrow({ where: { shop_key: { shop: SHOP, key: "dashboard:week:USD" } } });
    const stale = later(row.asOf, FRESH_MS + 1);
    const served = await loadDashboardSnapshot(t.db, SHOP, { granularity: "week" }, { now: stale });
    expect(served.asOf).toEqual(row.asOf);
    expect(served.refreshing).not.toBeNull();
    // A second stale read meanwhile leaves the recomputation to the first.
    const again = await loadDashboardSnapshot(t.db, SHOP, { granularity: "week" }, { now: stale });
    expect(again.refreshing).toBeNull();
    await served.refreshing;

    const after = await t.db.figuresSnapshot.findUniqueOrThrow({ where: { shop_key: { shop: SHOP, key: "dashboard:week:USD" } } });
    expect(after.asOf.getTime()).toBeGreaterThan(row.asOf.getTime());
    expect(after.refreshingUntil).toBeNull();
    const current = await loadDashboardSnapshot(t.db, SHOP, { granularity: "week" }, { now: after.asOf });
    expect(current.asOf).toEqual(after.asOf);
    expect(current.value.openLines).toBe(served.value.openLines + 1);
    expect(current.value).toEqual(await loadDashboard(t.db, SHOP, { now: after.asOf, granularity: "week" }));
  });

  it("computes inline again when the snapshot is too old to show", async () => {
    const row = await t.db.figuresSnapshot.findUniqueOrThrow({ where: { shop_key: { shop: SHOP, key: "dashboard:week:USD" } } });
    const before = JSON.parse(row.payload) as { openLines: number };
    await addWaitingLine(2);
    const now = later(row.asOf, MAX_AGE_MS + 1);
    const snap = await loadDashboardSnapshot(t.db, SHOP, { granularity: "week" }, { now });
    expect(snap.asOf).toEqual(now);
    expect(snap.refreshing).toBeNull();
    expect(snap.value.openLines).toBe(before.openLines + 1);
    expect(snap.value).toEqual(await loadDashboard(t.db, SHOP, { now, granularity: "week" }));
  });

  it("each shop and each granularity has its own snapshot", async () => {
    const now = new Date();
    const mine = await loadDashboardSnapshot(t.db, SHOP, { granularity: "day" }, { now });
    const theirs = await loadDashboardSnapshot(t.db, NEIGHBOUR, { granularity: "day" }, { now });
    expect(mine.value).toEqual(await loadDashboard(t.db, SHOP, { now, granularity: "day" }));
    expect(theirs.value).toEqual(await loadDashboard(t.db, NEIGHBOUR, { now, granularity: "day" }));
    expect(theirs.value.openLines).not.toBe(mine.value.openLines);
    expect(mine.value.revenueWon.granularity).toBe("day");
  });

  it("a failed recomputation keeps the old snapshot and lets the next stale read try again", async () => {
    const now = new Date();
    await snapshotOf(t.db, SHOP, "test:failing", async () => ({ n: 1 }), { now });
    const stale = later(now, FRESH_MS + 1);
    const failing = await snapshotOf(t.db, SHOP, "test:failing", () => Promise.reject(new Error("database gone")), { now: stale });
    expect(failing.value).toEqual({ n: 1 });
    await failing.refreshing;
    const retry = await snapshotOf(t.db, SHOP, "test:failing", async () => ({ n: 2 }), { now: stale });
    expect(retry.value).toEqual({ n: 1 });
    expect(retry.refreshing).not.toBeNull();
    await retry.refreshing;
    const row = await t.db.figuresSnapshot.findUniqueOrThrow({ where: { shop_key: { shop: SHOP, key: "test:failing" } } });
    expect(JSON.parse(row.payload)).toEqual({ n: 2 });
  });
});

describe("planning figures snapshot", () => {
  it("is the planning overview as of its time, filtered and paged on each load", async () => {
    const now = new Date();
    for (const filter of ["all", "at-risk"] as const) {
      const { asOf, refreshing, ...overview } = await loadPlanningSnapshot(t.db, SHOP, { filter }, { now });
      expect(asOf).toEqual(now);
      expect(refreshing).toBeNull();
      expect(overview).toEqual(await loadPlanningOverview(t.db, SHOP, { now, filter }));
    }
    const theirs = await loadPlanningSnapshot(t.db, NEIGHBOUR, { filter: "all" }, { now });
    expect(theirs.totals).toEqual((await loadPlanningOverview(t.db, NEIGHBOUR, { now, filter: "all" })).totals);
  });

  it("an import of batches drops the plans' snapshot: the next load shows the batches", async () => {
    const now = new Date();
    const before = await loadPlanningSnapshot(t.db, SHOP, { filter: "all" }, { now });
    const variant = await t.db.variant.findFirstOrThrow({ where: { shop: SHOP }, orderBy: { variantId: "asc" } });
    const day = new Date(now.getTime() + 10 * 86_400_000).toISOString().slice(0, 10);
    const result = await importBatches(t.db, SHOP, `variant_id,arrives_on,quantity\n${variant.variantId},${day},40\n`, now);
    expect(result.ok).toBe(true);
    expect(await t.db.figuresSnapshot.count({ where: { shop: SHOP, key: { startsWith: "plans:" } } })).toBe(0);
    const next = await loadPlanningSnapshot(t.db, SHOP, { filter: "all" }, { now: later(now, 1) });
    expect(next.asOf).toEqual(later(now, 1));
    const plan = (o: typeof before) => o.rows.find((r) => r.variantId === variant.variantId);
    expect((plan(next)?.incomingUnits ?? 0) - (plan(before)?.incomingUnits ?? 0)).toBe(40);
  });
});
