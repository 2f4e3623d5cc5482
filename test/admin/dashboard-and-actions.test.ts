// Dashboard figures against a hand-made shop whose answers are known, and the
// merchant's write paths: bulk actions, variant settings, shop settings, sync retries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDashboard } from "../../app/admin/metrics.server.ts";
import { markNotified, requestCancellation, runBulkAction, setRestockDate } from "../../app/admin/bulk-actions.server.ts";
import { loadVariantsPage, saveVariantSettings } from "../../app/admin/variants.server.ts";
import { loadSettings, loadSyncProblems, retryWebhookEvents, saveSettings } from "../../app/admin/settings.server.ts";
import { retryFailedSyncTasks } from "../../app/sync/runner.server.ts";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const NOW = new Date("2026-11-26T12:00:00Z");
const DAY = 86_400_000;
const H = 3_600_000;
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("admin_dash");
});
afterAll(() => t?.drop());

const ago = (ms: number) => new Date(NOW.getTime() - ms);

function line(shop: string, n: number, over: Record<string, unknown>) {
  return {
    shop,
    lineItemId: String(1000 + n),
    orderId: String(500 + n),
    orderName: `#${1000 + n}`,
    orderedAt: ago(10 * DAY),
    variantId: "v1",
    title: "Mug",
    sku: "MUG-1",
    snapshotQuantity: 1,
    snapshotOpenQuantity: 1,
    quantity: 1,
    openQuantity: 1,
    waitingQuantity: 0,
    state: "fulfilled",
    unitPrice: "10.00",
    currency: "USD",
    ...over,
  };
}

describe("dashboard metrics", () => {
  const shop = "known.myshopify.com";
  beforeAll(async () => {
    await t.db.variant.createMany({
      data: [
        { shop, variantId: "v1", productId: "p1", productTitle: "Mug", title: "Default Title", sku: "MUG-1", productUpdatedAt: NOW },
        { shop, variantId: "v2", productId: "p2", productTitle: "Shirt", title: "M", sku: "SH-M", productUpdatedAt: NOW },
      ],
    });
    // Ten allocated lines waited 1..10 hours; fulfilled ones shipped a day after allocation.
    const rows = [];
    for (let i = 1; i <= 10; i++) {
      const backorderedAt = ago(20 * DAY + i * H);
      rows.push(
        line(shop, i, {
          orderedAt: backorderedAt,
          backorderedAt,
          allocatedAt: new Date(backorderedAt.getTime() + i * H),
          fulfilledAt: i <= 4 ? new Date(backorderedAt.getTime() + i * H + DAY) : null,
          state: i <= 4 ? "fulfilled" : "allocated",
        }),
      );
    }
    // Waiting: 3 units at $12.50 and 2 at CA$20; one cancelled order; one line never backordered.
    rows.push(
      line(shop, 11, {
        variantId: "v2",
        state: "waiting",
        quantity: 3,
        waitingQuantity: 3,
        unitPrice: "12.50",
        backorderedAt: ago(2 * DAY),
        orderedAt: ago(2 * DAY),
      }),
    );
    rows.push(
      line(shop, 12, {
        variantId: "v2",
        state: "waiting",
        quantity: 2,
        waitingQuantity: 2,
        unitPrice: "20",
        currency: "CAD",
        backorderedAt: ago(DAY),
        orderedAt: ago(DAY),
      }),
    );
    rows.push(
      line(shop, 13, { variantId: "v2", state: "cancelled", cancelledAt: ago(DAY), backorderedAt: ago(3 * DAY), orderedAt: ago(3 * DAY) }),
    );
    rows.push(line(shop, 14, { state: "fulfilled", backorderedAt: null, orderedAt: ago(DAY) }));
    await t.db.backorderLine.createMany({ data: rows });
  });

  it("adds up open lines, revenue per currency, waits, cancellations and top variants", async () => {
    const m = await loadDashboard(t.db, shop, { now: NOW });
    expect(m.openLines).toBe(2);
    expect(m.openUnits).toBe(5);
    expect(m.waitingRevenue).toEqual([
      { currency: "CAD", amount: 40 },
      { currency: "USD", amount: 37.5 },
    ]);
    // 1..10 h: mean 5.5 h, nearest-rank p90 = 9 h.
    expect(m.toAllocation.count).toBe(10);
    expect(m.toAllocation.avgSeconds).toBeCloseTo(5.5 * 3600, 3);
    expect(m.toAllocation.p90Seconds).toBeCloseTo(9 * 3600, 3);
    // Fulfilled: 1..4 h + 1 day: mean 26.5 h, p90 (rank 4 of 4) = 28 h.
    expect(m.toFulfilment.count).toBe(4);
    expect(m.toFulfilment.avgSeconds).toBeCloseTo(26.5 * 3600, 3);
    expect(m.toFulfilment.p90Seconds).toBeCloseTo(28 * 3600, 3);
    // 13 backordered orders, one cancelled.
    expect(m.cancellation).toEqual({ orders: 13, cancelled: 1, rate: 1 / 13 });
    expect(m.topVariants).toEqual([
      { variantId: "v1", title: "Mug", sku: "MUG-1", lines: 10, units: 10 },
      { variantId: "v2", title: "Shirt — M", sku: "SH-M", lines: 3, units: 6 },
    ]);
  });

  it("buckets backorder revenue won by week and by day", async () => {
    const weekly = await loadDashboard(t.db, shop, { now: NOW, granularity: "week" });
    // USD is the currency with most waiting revenue? No: CAD 40 > USD 37.5, so the chart is in CAD.
    expect(weekly.revenueWon.currency).toBe("CAD");
    expect(weekly.revenueWon.buckets.reduce((s, b) => s + b.amount, 0)).toBe(40);
    const daily = await loadDashboard(t.db, shop, { now: NOW, granularity: "day", shopCurrency: "USD" });
    expect(daily.revenueWon.buckets).toHaveLength(30);
    expect(daily.revenueWon.buckets.at(-2)).toEqual({ start: "2026-11-25", amount: 40, lines: 1 });
    expect(new Date(`${weekly.revenueWon.buckets[0]!.start}T00:00:00Z`).getUTCDay()).toBe(1); // weeks start on Monday
  });

  it("is all zeros for a shop with nothing", async () => {
    const m = await loadDashboard(t.db, "empty.myshopify.com", { now: NOW });
    expect(m).toMatchObject({
      openLines: 0,
      openUnits: 0,
      waitingRevenue: [],
      toAllocation: { count: 0, avgSeconds: null, p90Seconds: null },
      cancellation: { orders: 0, cancelled: 0, rate: null },
      topVariants: [],
    });
    expect(m.revenueWon.buckets.every((b) => b.amount === 0)).toBe(true);
  });
});

describe("bulk actions", () => {
  const shop = "bulk.myshopify.com";
  let waiting: { lineItemId: string; variantId: string; orderId: string }[];
  beforeAll(async () => {
    await seedAdminShop(t.db, { shop, lines: 80, now: NOW, problems: false });
    waiting = await t.db.backorderLine.findMany({ where: { shop, state: "waiting" }, orderBy: { orderedAt: "asc" }, take: 4 });
  });

  it("sets the restock date of the lines' variants and queues their storefront sync", async () => {
    const ids = waiting.map((l) => l.lineItemId);
    const variants = [...new Set(waiting.map((l) => l.variantId))];
    const r = await setRestockDate(t.db, shop, ids, "2026-12-20", NOW);
    expect(r).toMatchObject({ ok: true, count: variants.length });
    const policies = await t.db.variantPolicy.findMany({ where: { shop, variantId: { in: variants } } });
    expect(policies.map((p) => p.restockDate?.toISOString())).toEqual(variants.map(() => "2026-12-20T00:00:00.000Z"));
    const tasks = await t.db.syncTask.findMany({ where: { shop, kind: "variant", targetId: { in: variants } } });
    expect(tasks.map((x) => x.status).sort()).toEqual(variants.map(() => "pending"));
    expect(await setRestockDate(t.db, shop, ids, "2026-11-01", NOW)).toEqual({
      ok: false,
      error: "Restock date 2026-11-01 is in the past (today is 2026-11-26).",
    });
  });

  it("requests cancellation through the sync queue, once per order", async () => {
    const ids = waiting.slice(0, 2).map((l) => l.lineItemId);
    const r = await requestCancellation(t.db, shop, [...ids, ...ids], NOW);
    expect(r).toMatchObject({ ok: true, count: 2 });
    const tasks = await t.db.syncTask.findMany({ where: { shop, kind: "order-cancel" }, orderBy: { targetId: "asc" } });
    expect(tasks.map((x) => [x.targetId, x.status])).toEqual(
      waiting
        .slice(0, 2)
        .map((l) => [l.orderId, "pending"])
        .sort(),
    );
    const fulfilled = await t.db.backorderLine.findFirst({ where: { shop, state: "fulfilled" } });
    expect(await requestCancellation(t.db, shop, [fulfilled!.lineItemId], NOW)).toMatchObject({ ok: false });
  });

  it("marks lines notified, through the form the page posts", async () => {
    const form = new FormData();
    form.set("intent", "notified");
    for (const l of waiting) form.append("lineItemId", l.lineItemId);
    expect(await runBulkAction(t.db, shop, form, NOW)).toEqual({ ok: true, count: 4, message: "4 lines marked as notified." });
    const rows = await t.db.backorderLine.findMany({ where: { shop, lineItemId: { in: waiting.map((l) => l.lineItemId) } } });
    expect(rows.every((l) => l.notifiedAt?.getTime() === NOW.getTime())).toBe(true);
    expect(await markNotified(t.db, shop, [], NOW)).toMatchObject({ ok: false });
  });
});

describe("variant settings", () => {
  const shop = "variants.myshopify.com";
  let ids: string[];
  beforeAll(async () => {
    ids = (await seedAdminShop(t.db, { shop, lines: 30, now: NOW, problems: false })).variantIds;
  });

  it("saves one variant, clearing blank fields, and queues its sync", async () => {
    const r = await saveVariantSettings(
      t.db,
      shop,
      [ids[1]!],
      {
        enabled: "on",
        maxBackorder: "12",
        restockDate: "2027-01-15",
        incomingQuantity: "",
        leadTimeDays: "30",
        message: "Back in January",
      },
      NOW,
    );
    expect(r).toMatchObject({ ok: true, saved: 1 });
    const page = await loadVariantsPage(t.db, shop, { now: NOW });
    expect(page.rows.find((v) => v.variantId === ids[1])).toMatchObject({
      enabled: true,
      maxBackorder: 12,
      restockDate: "2027-01-15",
      incomingQuantity: null,
      leadTimeDays: 30,
      message: "Back in January",
    });
    expect(await t.db.syncTask.count({ where: { shop, kind: "variant", targetId: ids[1], status: "pending" } })).toBe(1);
  });

  it("bulk edit changes only the filled fields", async () => {
    const before = await t.db.variantPolicy.findMany({
      where: { shop, variantId: { in: ids.slice(0, 3) } },
      orderBy: { variantId: "asc" },
    });
    const r = await saveVariantSettings(
      t.db,
      shop,
      ids.slice(0, 3),
      { enabled: "off", maxBackorder: "", restockDate: "", message: "" },
      NOW,
    );
    expect(r).toMatchObject({ ok: true, saved: 3 });
    const after = await t.db.variantPolicy.findMany({ where: { shop, variantId: { in: ids.slice(0, 3) } }, orderBy: { variantId: "asc" } });
    expect(after.map((p) => p.enabled)).toEqual([false, false, false]);
    expect(after.map((p) => [p.maxBackorder, p.restockDate, p.message])).toEqual(
      before.map((p) => [p.maxBackorder, p.restockDate, p.message]),
    );
  });

  it("refuses invalid input with field errors and another shop's variants", async () => {
    const r = await saveVariantSettings(t.db, shop, [ids[0]!], { maxBackorder: "-1", restockDate: "2020-01-01" }, NOW);
    expect(r).toEqual({
      ok: false,
      errors: {
        maxBackorder: "Backorder limit cannot be negative.",
        restockDate: "Restock date 2020-01-01 is in the past (today is 2026-11-26).",
      },
    });
    const other = await saveVariantSettings(t.db, "someone-else.myshopify.com", [ids[0]!], { enabled: "on" }, NOW);
    expect(other).toEqual({ ok: false, errors: { form: "None of the selected variants belong to this shop." } });
    expect(await t.db.variantPolicy.count({ where: { shop: "someone-else.myshopify.com" } })).toBe(0);
  });

  it("filters and searches the catalog", async () => {
    const enabled = await loadVariantsPage(t.db, shop, { filter: "enabled", now: NOW });
    expect(enabled.rows.length).toBeGreaterThan(0);
    expect(enabled.rows.every((v) => v.enabled)).toBe(true);
    const backordered = await loadVariantsPage(t.db, shop, { filter: "backordered", now: NOW });
    expect(backordered.rows.every((v) => v.waitingUnits > 0)).toBe(true);
    const search = await loadVariantsPage(t.db, shop, { search: "trail runner", now: NOW });
    expect(search.rows.map((v) => v.productTitle)).toEqual(search.rows.map(() => "Trail Runner"));
    expect(search.total).toBe(6);
  });
});

describe("shop settings and sync problems", () => {
  const shop = "settings.myshopify.com";
  beforeAll(async () => {
    await seedAdminShop(t.db, { shop, lines: 20, now: NOW });
  });

  it("lists failed sync tasks and dead events, and retries them", async () => {
    const problems = await loadSyncProblems(t.db, shop);
    expect(problems.taskCount).toBe(2);
    expect(problems.tasks.map((x) => x.lastError)).toEqual(expect.arrayContaining([expect.stringContaining("Throttled")]));
    expect(problems.eventCount).toBe(1);
    expect(problems.events[0]).toMatchObject({ topic: "orders/updated", status: "dead", attempts: 8 });
    expect((await loadSyncProblems(t.db, "other.myshopify.com")).taskCount).toBe(0);

    expect(await retryFailedSyncTasks(t.db, "other.myshopify.com", undefined, NOW)).toBe(0);
    expect(await retryFailedSyncTasks(t.db, shop, [problems.tasks[0]!.id], NOW)).toBe(1);
    const retried = await t.db.syncTask.findUniqueOrThrow({ where: { id: problems.tasks[0]!.id } });
    expect(retried).toMatchObject({ status: "pending", attempts: 0, dueAt: NOW });
    expect(await retryWebhookEvents(t.db, shop)).toBe(1);
    expect(await loadSyncProblems(t.db, shop)).toMatchObject({ taskCount: 1, eventCount: 0 });
  });

  it("saves defaults and re-syncs the backorderable variants when what they show changes", async () => {
    await t.db.syncTask.deleteMany({ where: { shop, kind: { in: ["variant", "order"] }, status: "pending" } });
    const form = {
      messageTemplate: "Preorder now — ships {date}",
      defaultLeadTimeDays: "9",
      processingDays: "2",
      autoEnableTag: "",
      autoEnableCollectionId: "",
      orderTag: "bo",
      holdMode: "off",
    };
    const r = await saveSettings(t.db, shop, form, NOW);
    const backorderable = await t.db.variantPolicy.count({ where: { shop, OR: [{ enabled: true }, { autoEnable: true }] } });
    // The tag and the hold changed too: every order with a waiting line is pushed again.
    const waitingOrders = (await t.db.backorderLine.groupBy({ by: ["orderId"], where: { shop, state: "waiting" } }))
      .map((g) => g.orderId)
      .sort();
    expect(waitingOrders.length).toBeGreaterThan(0);
    expect(r).toMatchObject({ ok: true, resynced: backorderable, ordersResynced: waitingOrders.length });
    expect(await loadSettings(t.db, shop)).toMatchObject({
      messageTemplate: "Preorder now — ships {date}",
      defaultLeadTimeDays: 9,
      processingDays: 2,
      orderTag: "bo",
      holdMode: "off",
    });
    expect(await t.db.syncTask.count({ where: { shop, kind: "variant", status: "pending" } })).toBe(backorderable);
    const orderTasks = await t.db.syncTask.findMany({ where: { shop, kind: "order", status: "pending" }, select: { targetId: true } });
    expect(orderTasks.map((x) => x.targetId).sort()).toEqual(waitingOrders);
    // Same storefront-facing values again: nothing to re-push; the tag changed back: the orders again.
    expect(await saveSettings(t.db, shop, { ...form, orderTag: "backorder" }, NOW)).toMatchObject({
      ok: true,
      resynced: 0,
      ordersResynced: waitingOrders.length,
    });
    expect(await saveSettings(t.db, shop, { ...form, orderTag: "backorder" }, NOW)).toMatchObject({
      ok: true,
      resynced: 0,
      ordersResynced: 0,
    });
    expect(await saveSettings(t.db, shop, { ...form, messageTemplate: "no date" }, NOW)).toMatchObject({ ok: false });
  });
});
