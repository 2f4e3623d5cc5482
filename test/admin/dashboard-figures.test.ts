// The dashboard's and the planning page's figures on a seeded queue (1,500 lines in every
// state, multi-line orders, two currencies, lines outside the window, a neighbouring shop,
// first promises kept and missed), each checked against the same figure computed in plain
// TypeScript from the rows themselves. The loaders' SQL is tuned for speed (indexes, query
// shapes per dialect: docs/decisions/0022-admin-figures-speed.md); this is what keeps the
// tuned queries saying what the plain definition says, on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDashboard, type DashboardMetrics } from "../../app/admin/metrics.server.ts";
import { loadPlanningOverview, loadPlans } from "../../app/admin/planning.server.ts";
import { addDays, calendarDate, fromCalendarDate } from "../../app/backorder/eta.ts";
import { demandFromTotals } from "../../app/backorder/planning.ts";
import { LINE_STATE } from "../../app/backorder/line-state.ts";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

// Tuesday 2026-12-01, 09:30 UTC; the shop is on UTC (no settings row).
const NOW = new Date("2026-12-01T09:30:00Z");
const DAY = 86_400_000;
const SHOP = "figures.myshopify.com";
const NEIGHBOUR = "neighbour.myshopify.com";
const TODAY = "2026-12-01";
let t: TestDatabase;

type Line = Awaited<ReturnType<TestDatabase["db"]["backorderLine"]["findMany"]>>[number];
let lines: Line[];

beforeAll(async () => {
  t = await createTestDatabase("admin_figures");
  const seeded = await seedAdminShop(t.db, { shop: SHOP, lines: 1500, variants: 60, now: NOW, seed: 11, problems: false });
  await seedAdminShop(t.db, { shop: NEIGHBOUR, lines: 200, now: NOW, seed: 5, problems: false });
  const db = t.db;
  const some = await db.backorderLine.findMany({ where: { shop: SHOP }, orderBy: { lineItemId: "asc" } });
  // Multi-line orders: every 5th line joins the order of the line before it, so a cancelled
  // line and a live one can share an order (the cancellation rate counts orders, not lines).
  for (let i = 5; i < some.length; i += 5) {
    await db.backorderLine.update({
      where: { shop_lineItemId: { shop: SHOP, lineItemId: some[i]!.lineItemId } },
      data: { orderId: some[i - 1]!.orderId },
    });
  }
  // Lines older than the 90-day window, one never backordered, one allocated before it was
  // recorded short (a clock skew the waits leave out), and waiting lines promised a date
  // that has passed (the planning page's "promise passed").
  const v = seeded.variantIds;
  const base = some[0]!;
  const extra = (n: number, over: Partial<Line>) => ({
    ...base,
    lineItemId: `extra-${n}`,
    orderId: `extra-order-${n}`,
    updatedAt: undefined,
    ...over,
  });
  await db.backorderLine.createMany({
    data: [
      extra(1, {
        orderedAt: new Date(NOW.getTime() - 120 * DAY),
        backorderedAt: new Date(NOW.getTime() - 120 * DAY),
        state: LINE_STATE.fulfilled,
        allocatedAt: new Date(NOW.getTime() - 110 * DAY),
        fulfilledAt: new Date(NOW.getTime() - 100 * DAY),
        waitingQuantity: 0,
      }),
      extra(2, {
        orderedAt: new Date(NOW.getTime() - 95 * DAY),
        backorderedAt: new Date(NOW.getTime() - 95 * DAY),
        state: LINE_STATE.cancelled,
        cancelledAt: new Date(NOW.getTime() - 94 * DAY),
        waitingQuantity: 0,
      }),
      extra(3, {
        orderedAt: new Date(NOW.getTime() - 3 * DAY),
        backorderedAt: null,
        state: LINE_STATE.fulfilled,
        fulfilledAt: new Date(NOW.getTime() - 2 * DAY),
        waitingQuantity: 0,
      }),
      extra(4, {
        orderedAt: new Date(NOW.getTime() - 4 * DAY),
        backorderedAt: new Date(NOW.getTime() - 3 * DAY),
        state: LINE_STATE.allocated,
        allocatedAt: new Date(NOW.getTime() - 3.5 * DAY),
        waitingQuantity: 0,
      }),
    ].map((l) => ({ ...l, updatedAt: undefined })),
  });
  const waiting = some.filter((l) => l.state === LINE_STATE.waiting);
  for (const [i, l] of waiting.slice(0, 40).entries()) {
    await db.backorderLine.update({
      where: { shop_lineItemId: { shop: SHOP, lineItemId: l.lineItemId } },
      data: { promisedShipDate: addDays(TODAY, i % 2 === 0 ? -(1 + (i % 9)) : 2 + (i % 5)) },
    });
  }
  // First promises of the shipped lines: a third kept to the day, the rest 0..12 days late.
  const shipped = (await db.backorderLine.findMany({ where: { shop: SHOP, fulfilledAt: { not: null } } })).filter((l) => l.backorderedAt);
  await db.linePromise.createMany({
    data: shipped.map((l, i) => {
      const shippedDay = calendarDate(l.fulfilledAt)!;
      const first = i % 3 === 0 ? shippedDay : addDays(shippedDay, -(i % 13));
      return {
        shop: SHOP,
        lineItemId: l.lineItemId,
        variantId: l.variantId,
        firstPromised: first,
        firstPromisedAt: fromCalendarDate(first),
        promisedAt: l.backorderedAt!,
      };
    }),
  });
  // Batches ahead for some variants (one in the past, ignored), and restock dates for others.
  await db.incomingBatch.createMany({
    data: v.flatMap((variantId, i) =>
      i % 4 === 0
        ? [
            { shop: SHOP, variantId, arrivesOn: fromCalendarDate(addDays(TODAY, 3 + (i % 10))), quantity: 5 + (i % 6) * 10 },
            { shop: SHOP, variantId, arrivesOn: fromCalendarDate(addDays(TODAY, -2)), quantity: 99 },
          ]
        : [],
    ),
  });
  lines = await db.backorderLine.findMany({ where: { shop: SHOP } });
});
afterAll(() => t?.drop());

const secs = (to: Date, from: Date) => (to.getTime() - from.getTime()) / 1000;
/** Nearest-rank 90th percentile. */
const p90 = (xs: number[]) => (xs.length === 0 ? null : [...xs].sort((a, b) => a - b)[Math.ceil(0.9 * xs.length) - 1]!);
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
const cents = (x: number) => Math.round(x * 100) / 100;
const isCancelled = (l: Line) => l.cancelledAt !== null || l.state === LINE_STATE.cancelled;

/** The dashboard's figures by their definitions (app/admin/metrics.server.ts), from the rows. */
async function expectedDashboard(
  granularity: "day" | "week",
): Promise<Omit<DashboardMetrics, "topVariants"> & { top: { variantId: string; lines: number; units: number }[] }> {
  const since = NOW.getTime() - 90 * DAY;
  const waiting = lines.filter((l) => l.state === LINE_STATE.waiting);
  const revenue = new Map<string, number>();
  for (const l of waiting) revenue.set(l.currency, (revenue.get(l.currency) ?? 0) + Number(l.unitPrice) * l.waitingQuantity);
  const waitingRevenue = [...revenue]
    .map(([currency, amount]) => ({ currency, amount: cents(amount) }))
    .sort((a, b) => b.amount - a.amount);
  const inWindow = lines.filter((l) => l.backorderedAt && l.backorderedAt.getTime() >= since);
  const waitsTo = (at: (l: Line) => Date | null) => {
    const xs = inWindow.filter((l) => at(l) && at(l)! >= l.backorderedAt!).map((l) => secs(at(l)!, l.backorderedAt!));
    return { count: xs.length, avgSeconds: mean(xs), p90Seconds: p90(xs) };
  };
  const orders = new Set(inWindow.map((l) => l.orderId));
  const cancelled = new Set(inWindow.filter(isCancelled).map((l) => l.orderId));
  const byVariant = new Map<string, { lines: number; units: number }>();
  for (const l of inWindow) {
    const g = byVariant.get(l.variantId) ?? { lines: 0, units: 0 };
    g.lines++;
    g.units += l.quantity;
    byVariant.set(l.variantId, g);
  }
  const top = [...byVariant]
    .map(([variantId, g]) => ({ variantId, ...g }))
    .sort((a, b) => b.lines - a.lines || (a.variantId < b.variantId ? -1 : 1))
    .slice(0, 8);
  const promises = await t.db.linePromise.findMany({ where: { shop: SHOP } });
  const byId = new Map(lines.map((l) => [l.lineItemId, l]));
  let n = 0;
  let onTime = 0;
  let lateDays = 0;
  for (const p of promises) {
    const l = byId.get(p.lineItemId);
    if (!l?.fulfilledAt || l.fulfilledAt.getTime() < since) continue;
    n++;
    const late = secs(l.fulfilledAt, p.firstPromisedAt);
    if (late < 86_400) onTime++;
    else lateDays += Math.floor(late / 86_400);
  }
  const currency = waitingRevenue[0]?.currency ?? "USD";
  const todayMs = Date.parse(TODAY);
  const days = granularity === "day" ? 30 : 84;
  let firstMs = todayMs - (days - 1) * DAY;
  if (granularity === "week") firstMs -= ((new Date(firstMs).getUTCDay() + 6) % 7) * DAY;
  const step = (granularity === "week" ? 7 : 1) * DAY;
  const buckets: { start: string; amount: number; lines: number }[] = [];
  for (let ms = firstMs; ms <= todayMs; ms += step) buckets.push({ start: new Date(ms).toISOString().slice(0, 10), amount: 0, lines: 0 });
  for (const l of lines) {
    if (!l.backorderedAt || isCancelled(l) || l.currency !== currency || l.orderedAt.getTime() < firstMs) continue;
    const b = buckets[Math.floor((Date.parse(l.orderedAt.toISOString().slice(0, 10)) - firstMs) / step)];
    if (!b) continue;
    b.amount += Number(l.unitPrice) * l.quantity;
    b.lines++;
  }
  return {
    windowDays: 90,
    openLines: waiting.length,
    openUnits: waiting.reduce((s, l) => s + l.waitingQuantity, 0),
    waitingRevenue,
    toAllocation: waitsTo((l) => l.allocatedAt),
    toFulfilment: waitsTo((l) => l.fulfilledAt),
    cancellation: { orders: orders.size, cancelled: cancelled.size, rate: orders.size === 0 ? null : cancelled.size / orders.size },
    revenueWon: { currency, granularity, buckets: buckets.map((b) => ({ ...b, amount: cents(b.amount) })) },
    promises:
      n === 0
        ? { lines: 0, onTime: 0, share: null, meanSlipDays: null }
        : { lines: n, onTime, share: onTime / n, meanSlipDays: lateDays / n },
    top,
  };
}

describe("dashboard figures on a seeded queue", () => {
  it("the queue has what the figures need: every state, shared orders, both currencies, lines outside the window", () => {
    expect(new Set(lines.map((l) => l.state))).toEqual(new Set(Object.values(LINE_STATE)));
    expect(new Set(lines.map((l) => l.currency))).toEqual(new Set(["USD", "CAD"]));
    expect(new Set(lines.map((l) => l.orderId)).size).toBeLessThan(lines.length - 250);
    expect(lines.filter((l) => l.backorderedAt && l.backorderedAt.getTime() < NOW.getTime() - 90 * DAY)).toHaveLength(2);
  });

  for (const granularity of ["week", "day"] as const) {
    it(`every figure is its definition over the rows (${granularity}ly revenue)`, async () => {
      const want = await expectedDashboard(granularity);
      const got = await loadDashboard(t.db, SHOP, { now: NOW, granularity });
      expect(got.openLines).toBe(want.openLines);
      expect(got.openUnits).toBe(want.openUnits);
      expect(got.waitingRevenue).toEqual(want.waitingRevenue);
      for (const k of ["toAllocation", "toFulfilment"] as const) {
        expect(got[k].count, k).toBe(want[k].count);
        expect(got[k].count, k).toBeGreaterThan(100);
        expect(got[k].avgSeconds!, k).toBeCloseTo(want[k].avgSeconds!, 0);
        expect(got[k].p90Seconds!, k).toBeCloseTo(want[k].p90Seconds!, 0);
      }
      expect(got.cancellation).toEqual(want.cancellation);
      expect(got.cancellation.cancelled).toBeGreaterThan(0);
      expect(got.topVariants.map(({ variantId, lines, units }) => ({ variantId, lines, units }))).toEqual(want.top);
      expect(got.promises.lines).toBe(want.promises.lines);
      expect(got.promises.onTime).toBe(want.promises.onTime);
      expect(got.promises.meanSlipDays!).toBeCloseTo(want.promises.meanSlipDays!, 9);
      expect(got.revenueWon.currency).toBe(want.revenueWon.currency);
      expect(got.revenueWon.buckets.map((b) => b.start)).toEqual(want.revenueWon.buckets.map((b) => b.start));
      expect(got.revenueWon.buckets.map((b) => b.lines)).toEqual(want.revenueWon.buckets.map((b) => b.lines));
      got.revenueWon.buckets.forEach((b, i) => expect(b.amount, b.start).toBeCloseTo(want.revenueWon.buckets[i]!.amount, 2));
      expect(want.revenueWon.buckets.filter((b) => b.lines > 0).length).toBeGreaterThan(granularity === "day" ? 20 : 8);
    });
  }

  it("the neighbouring shop's figures are its own", async () => {
    const m = await loadDashboard(t.db, NEIGHBOUR, { now: NOW });
    const own = await t.db.backorderLine.count({ where: { shop: NEIGHBOUR, state: LINE_STATE.waiting } });
    expect(m.openLines).toBe(own);
    expect(m.promises.lines).toBe(0);
    expect(m.topVariants.every((v) => !lines.some((l) => l.variantId === v.variantId))).toBe(true);
  });
});

describe("planning figures on the seeded queue", () => {
  it("each variant's queue, overdue promises, demand and batches are their definitions over the rows", async () => {
    const { today, plans } = await loadPlans(t.db, SHOP, NOW, 30);
    expect(today).toBe(TODAY);
    const since7 = fromCalendarDate(addDays(TODAY, -6)).getTime();
    const since28 = fromCalendarDate(addDays(TODAY, -27)).getTime();
    const want = new Map<string, { units: number; lines: number; overdue: number; u7: number; u28: number }>();
    const of = (v: string) => want.get(v) ?? want.set(v, { units: 0, lines: 0, overdue: 0, u7: 0, u28: 0 }).get(v)!;
    for (const l of lines) {
      if (l.state === LINE_STATE.waiting) {
        const w = of(l.variantId);
        w.units += l.waitingQuantity;
        w.lines++;
        if (l.promisedShipDate !== null && l.promisedShipDate < TODAY) w.overdue++;
      }
      const at = l.backorderedAt?.getTime();
      if (at !== undefined && at >= since28) {
        const w = of(l.variantId);
        w.u28 += l.quantity;
        if (at >= since7) w.u7 += l.quantity;
      }
    }
    const batches = await t.db.incomingBatch.findMany({ where: { shop: SHOP, arrivesOn: { gte: fromCalendarDate(TODAY) } } });
    for (const b of batches) of(b.variantId);
    expect(new Set(plans.map((p) => p.variantId))).toEqual(new Set(want.keys()));
    for (const p of plans) {
      const w = want.get(p.variantId)!;
      expect({ units: p.waitingUnits, lines: p.waitingLines, overdue: p.overduePromises }, p.variantId).toEqual({
        units: w.units,
        lines: w.lines,
        overdue: w.overdue,
      });
      expect(p.demand, p.variantId).toEqual(demandFromTotals(w.u7, w.u28));
      expect(p.incomingUnits, p.variantId).toBe(batches.filter((b) => b.variantId === p.variantId).reduce((s, b) => s + b.quantity, 0));
    }
    expect(plans.reduce((s, p) => s + p.overduePromises, 0)).toBe(20);
  });

  it("the overview's totals and risk counts add up the plans", async () => {
    const { plans } = await loadPlans(t.db, SHOP, NOW, 30);
    const o = await loadPlanningOverview(t.db, SHOP, { now: NOW, coverDays: 30, filter: "all" });
    expect(o.totals).toEqual({
      variants: plans.length,
      waitingUnits: plans.reduce((s, p) => s + p.waitingUnits, 0),
      toOrder: plans.reduce((s, p) => s + p.advice.quantity, 0),
      variantsToOrder: plans.filter((p) => p.advice.quantity > 0).length,
    });
    for (const r of ["promise-passed", "outgrows-next-batch", "no-restock-date"] as const) {
      expect(o.risks[r], r).toBe(plans.filter((p) => p.risks.includes(r)).length);
      expect(o.risks[r], r).toBeGreaterThan(0);
    }
    const atRisk = await loadPlanningOverview(t.db, SHOP, { now: NOW, coverDays: 30, filter: "at-risk" });
    expect(atRisk.rows.length).toBe(Math.min(50, plans.filter((p) => p.risks.length > 0).length));
    expect(atRisk.rows.every((r) => r.title !== r.variantId)).toBe(true);
  });
});
