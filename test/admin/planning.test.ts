// Planning against a hand-made shop whose answers are known: per-variant demand, batches,
// order advice and risks from the database; batch editing and CSV import (all or
// nothing); the supplier export; and the ship dates the queue shows following the batches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importBatches, loadPlanningOverview, loadVariantPlanning, saveVariantBatches } from "../../app/admin/planning.server.ts";
import { supplierCsv } from "../../app/admin/supplier-export.server.ts";
import { loadQueuePage } from "../../app/admin/queue.server.ts";
import { DEFAULT_QUERY } from "../../app/admin/queue-query.ts";
import { loadVariantFacts } from "../../app/engine/storefront-facts.server.ts";
import { storefrontStatus } from "../../app/backorder/storefront-status.ts";
import { loadDashboard } from "../../app/admin/metrics.server.ts";
import { recordShipDates } from "../../app/sync/flow-sync.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

// Monday 2026-11-30, noon UTC; the shop is on UTC.
const NOW = new Date("2026-11-30T12:00:00Z");
const DAY = 86_400_000;
const SHOP = "plan.myshopify.com";
const OTHER = "other.myshopify.com";
let t: TestDatabase;

const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
let n = 0;
function line(shop: string, variantId: string, over: Record<string, unknown>) {
  n++;
  return {
    shop,
    lineItemId: `${shop}-${n}`,
    orderId: `o-${n}`,
    orderName: `#${n}`,
    orderedAt: ago(1),
    variantId,
    title: "Lamp",
    snapshotQuantity: 1,
    snapshotOpenQuantity: 1,
    quantity: 1,
    openQuantity: 1,
    waitingQuantity: 1,
    state: "waiting",
    backorderedAt: ago(1),
    ...over,
  };
}

beforeAll(async () => {
  t = await createTestDatabase("admin_plan");
  await t.db.shopSettings.create({ data: { shop: SHOP, defaultLeadTimeDays: 10, processingDays: 0 } });
  await t.db.variant.createMany({
    data: [
      { shop: SHOP, variantId: "lamp", productId: "p1", productTitle: "Lamp", title: "Brass", sku: "LMP-B", productUpdatedAt: NOW },
      { shop: SHOP, variantId: "vase", productId: "p2", productTitle: "Vase", title: "Default Title", sku: "=VASE", productUpdatedAt: NOW },
      { shop: SHOP, variantId: "cup", productId: "p3", productTitle: "Cup", title: "Default Title", sku: "CUP", productUpdatedAt: NOW },
      { shop: OTHER, variantId: "lamp", productId: "p1", productTitle: "Lamp", title: "Brass", sku: "LMP-B", productUpdatedAt: NOW },
    ],
  });
  const rows = [];
  // Lamp: 14 units waiting, backordered 2 a day over the last 7 days (days 0..6).
  for (let d = 0; d < 7; d++) for (let k = 0; k < 2; k++) rows.push(line(SHOP, "lamp", { orderedAt: ago(d), backorderedAt: ago(d) }));
  // Vase: 4 waiting from 20 days ago, one promised a date that has passed.
  for (let k = 0; k < 4; k++)
    rows.push(line(SHOP, "vase", { orderedAt: ago(20), backorderedAt: ago(20), promisedShipDate: k === 0 ? "2026-11-20" : "2026-12-20" }));
  // Cup: shipped, demand only.
  rows.push(line(SHOP, "cup", { state: "fulfilled", waitingQuantity: 0, openQuantity: 0, backorderedAt: ago(3), fulfilledAt: ago(1) }));
  // Another shop's lamp queue must not count.
  for (let k = 0; k < 50; k++) rows.push(line(OTHER, "lamp", {}));
  await t.db.backorderLine.createMany({ data: rows });
  await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: "lamp", enabled: true } });
  await t.db.variantPolicy.create({
    data: { shop: SHOP, variantId: "vase", enabled: true, restockDate: new Date("2026-12-20T00:00:00Z") },
  });
});
afterAll(() => t?.drop());

describe("planning overview", () => {
  it("plans each variant from the database: demand, advice, risks; one shop only", async () => {
    const o = await loadPlanningOverview(t.db, SHOP, { now: NOW, coverDays: 30, filter: "all" });
    const lamp = o.rows.find((r) => r.variantId === "lamp")!;
    expect(lamp.title).toBe("Lamp — Brass");
    expect(lamp.waitingUnits).toBe(14);
    expect(lamp.demand.last7).toBe(2);
    expect(lamp.demand.last28).toBe(0.5);
    // 14 waiting + 2/day × (10 lead + 30 cover) = 94; no batch, no restock date.
    expect(lamp.advice).toEqual({ quantity: 94, arrivesOn: "2026-12-10" });
    expect(lamp.risks).toEqual(["no-restock-date"]);
    const vase = o.rows.find((r) => r.variantId === "vase")!;
    expect(vase.overduePromises).toBe(1);
    expect(vase.risks).toEqual(["promise-passed"]);
    expect(o.risks).toEqual({ "promise-passed": 1, "outgrows-next-batch": 0, "no-restock-date": 1 });
    expect(o.totals.waitingUnits).toBe(18);
    const atRisk = await loadPlanningOverview(t.db, SHOP, { now: NOW, filter: "at-risk" });
    expect(atRisk.rows.map((r) => r.variantId).sort()).toEqual(["lamp", "vase"]);
  });
});

describe("batches", () => {
  it("rejects a bad row with its message and writes nothing", async () => {
    const r = await saveVariantBatches(
      t.db,
      SHOP,
      "lamp",
      [
        { arrivesOn: "2026-12-04", quantity: "10" },
        { arrivesOn: "2026-11-01", quantity: "0" },
      ],
      NOW,
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        { row: 2, field: "arrivesOn", message: "Arrival date 2026-11-01 is in the past (today is 2026-11-30)." },
        { row: 2, field: "quantity", message: "Quantity must be at least 1." },
      ],
    });
    expect(await t.db.incomingBatch.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("replaces a variant's batches, queues its sync, and the queue's ship dates follow them", async () => {
    const r = await saveVariantBatches(
      t.db,
      SHOP,
      "lamp",
      [
        { arrivesOn: "2026-12-04", quantity: "10", reference: "PO-1" },
        { arrivesOn: "", quantity: "" },
        { arrivesOn: "2026-12-11", quantity: "30", locationId: "gid://shopify/Location/77" },
      ],
      NOW,
    );
    expect(r).toEqual({ ok: true, saved: 2 });
    const stored = await t.db.incomingBatch.findMany({ where: { shop: SHOP, variantId: "lamp" }, orderBy: { arrivesOn: "asc" } });
    expect(stored.map((b) => [b.quantity, b.locationId, b.reference])).toEqual([
      [10, null, "PO-1"],
      [30, "77", null],
    ]);
    expect(await t.db.syncTask.count({ where: { shop: SHOP, kind: "variant", targetId: "lamp", status: "pending" } })).toBe(1);

    const page = await loadQueuePage(t.db, SHOP, { ...DEFAULT_QUERY, variantId: "lamp" }, NOW);
    const dates = page.rows.map((row) => [row.position, row.eta]);
    expect(dates.find(([p]) => p === 10)![1]).toBe("2026-12-04");
    expect(dates.find(([p]) => p === 11)![1]).toBe("2026-12-11");
    // The storefront's next unit (the 15th) comes with the second batch too.
    const facts = await loadVariantFacts(t.db, SHOP, "lamp", NOW);
    expect(facts.batches).toEqual([
      { date: "2026-12-04", quantity: 10, locationId: null },
      { date: "2026-12-11", quantity: 30, locationId: "77" },
    ]);
    expect(storefrontStatus({ ...facts, available: -14, waitingUnits: 14 }).eta).toBe("2026-12-11");

    const plan = await loadVariantPlanning(t.db, SHOP, "lamp", { now: NOW });
    // 14 + 2×4 = 22 on Dec 4, 10 arrive -> 12; + 2×7 = 26 on Dec 11, 30 arrive -> 0.
    expect(plan!.projection).toEqual([
      { day: "2026-12-04", before: 22, after: 12, arriving: 10 },
      { day: "2026-12-11", before: 26, after: 0, arriving: 30 },
    ]);
    expect(plan!.plan.clearsOn).toBe("2026-12-11");
    expect(plan!.ordersPerDay.at(-1)).toEqual({ day: "2026-11-30", units: 2 });
    expect(plan!.ordersPerDay).toHaveLength(28);
    // No LineEvent rows here: the history follows the lines themselves, 2 more units a day.
    expect(plan!.waitingHistory.slice(-8).map((d) => d.units)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
  });

  it("imports a CSV all or nothing, naming each bad line", async () => {
    const bad = await importBatches(t.db, SHOP, "sku,arrives_on,quantity\nLMP-B,2026-12-20,5\nNOPE,2026-12-20,5\nCUP,20/12/2026,x\n", NOW);
    expect(bad).toEqual({
      ok: false,
      errors: [
        { line: 3, message: "no variant with SKU NOPE." },
        { line: 4, message: "Arrival date must be a date like 2026-12-31; Quantity must be a whole number of units." },
      ],
    });
    expect(await t.db.incomingBatch.count({ where: { shop: SHOP, variantId: { in: ["cup", "vase"] } } })).toBe(0);
    const good = await importBatches(
      t.db,
      SHOP,
      'variant_id,arrives_on,quantity,reference\r\nvase,2026-12-10,2,"PO 7, rush"\r\ncup,2026-12-15,4,\r\n',
      NOW,
    );
    expect(good).toEqual({ ok: true, imported: 2, variants: 2 });
    expect((await t.db.incomingBatch.findFirst({ where: { shop: SHOP, variantId: "vase" } }))!.reference).toBe("PO 7, rush");
    // The other shop's catalog has a "lamp" too, but this import cannot reach it.
    expect(await t.db.incomingBatch.count({ where: { shop: OTHER } })).toBe(0);
  });
});

describe("supplier export", () => {
  it("lists what to order per variant, with formula-looking cells neutralised", async () => {
    const csv = await supplierCsv(t.db, SHOP, 30, NOW);
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe(
      "SKU,Variant,Variant ID,Order quantity,Units waiting,Units incoming,Demand per day (28 days),Demand per day (7 days),Needed by,Cover days",
    );
    const vase = lines.find((l) => l.includes(",vase,"))!;
    expect(vase.startsWith("'=VASE,Vase,vase,")).toBe(true);
    // Lamp: 14 + 2×40 − 40 incoming = 54.
    expect(lines.find((l) => l.includes(",lamp,"))).toBe("LMP-B,Lamp — Brass,lamp,54,14,40,0.5,2,2026-12-10,30");
  });
});

describe("first promises and promise accuracy", () => {
  it("keeps the first date promised when a later sync moves it, and the dashboard compares shipping with it", async () => {
    const shop = "promises.myshopify.com";
    await t.db.shopSettings.create({ data: { shop, defaultLeadTimeDays: 10, processingDays: 0 } });
    await t.db.backorderLine.createMany({
      data: [line(shop, "mug", { lineItemId: "p1", orderedAt: ago(2) }), line(shop, "mug", { lineItemId: "p2", orderedAt: ago(1) })],
    });
    await t.db.incomingBatch.create({ data: { shop, variantId: "mug", arrivesOn: new Date("2026-12-03T00:00:00Z"), quantity: 1 } });
    await recordShipDates(t.db, shop, ["mug"], NOW);
    const first = await t.db.linePromise.findMany({ where: { shop }, orderBy: { lineItemId: "asc" } });
    // p1 is covered by the batch (Thu Dec 3); p2 waits a lead time after it (Sun Dec 13 -> Mon Dec 14).
    expect(first.map((p) => [p.lineItemId, p.firstPromised])).toEqual([
      ["p1", "2026-12-03"],
      ["p2", "2026-12-14"],
    ]);
    // The batch slips a week: the lines' dates move, their first promises do not.
    await t.db.incomingBatch.updateMany({ where: { shop }, data: { arrivesOn: new Date("2026-12-10T00:00:00Z") } });
    await recordShipDates(t.db, shop, ["mug"], NOW);
    expect((await t.db.backorderLine.findFirstOrThrow({ where: { shop, lineItemId: "p1" } })).promisedShipDate).toBe("2026-12-10");
    expect((await t.db.linePromise.findMany({ where: { shop }, orderBy: { lineItemId: "asc" } })).map((p) => p.firstPromised)).toEqual([
      "2026-12-03",
      "2026-12-14",
    ]);
    // p1 ships on Dec 10 (7 days late), p2 on Dec 14 (on the day): half kept, mean slip 3.5 days.
    await t.db.backorderLine.update({
      where: { shop_lineItemId: { shop, lineItemId: "p1" } },
      data: { state: "fulfilled", fulfilledAt: new Date("2026-12-10T15:00:00Z") },
    });
    await t.db.backorderLine.update({
      where: { shop_lineItemId: { shop, lineItemId: "p2" } },
      data: { state: "fulfilled", fulfilledAt: new Date("2026-12-14T23:00:00Z") },
    });
    const m = await loadDashboard(t.db, shop, { now: new Date("2026-12-15T12:00:00Z") });
    expect(m.promises).toEqual({ lines: 2, onTime: 1, share: 0.5, meanSlipDays: 3.5 });
  });
});
