// Planning per location from the database (decision 0032): in a shop with two locations, the
// lamp placed at East and at West, one line short at East but not placed, one at no location;
// a batch at West serves West's line and the unplaced ones, never East's placed line, so the
// queue does not clear with it (a shop-wide pool would say it does) and the variant is at risk;
// a batch at East then clears it. The same lines in a one-location shop plan as before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPlans, loadVariantPlanning } from "../../app/admin/planning.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const NOW = new Date("2026-12-01T12:00:00Z");
const DAY = 86_400_000;
const TWO = "two-locations.myshopify.com";
const ONE = "one-location.myshopify.com";
const EAST = "111";
const WEST = "222";
const on = (d: number) => new Date(NOW.getTime() + d * DAY).toISOString().slice(0, 10);
let t: TestDatabase;

let n = 0;
function line(shop: string, locationId: string | null, assignedLocationId: string | null, daysAgo: number) {
  n++;
  // Backordered 40 days ago: no demand in the last 28 days, so the projections are the queue alone.
  const at = new Date(NOW.getTime() - (40 + daysAgo) * DAY);
  return {
    shop,
    lineItemId: `${shop}-${n}`,
    orderId: `o-${n}`,
    orderName: `#${n}`,
    orderedAt: at,
    backorderedAt: at,
    variantId: "lamp",
    title: "Lamp",
    snapshotQuantity: 1,
    snapshotOpenQuantity: 1,
    quantity: 1,
    openQuantity: 1,
    waitingQuantity: 1,
    state: "waiting",
    locationId,
    assignedLocationId,
  };
}

beforeAll(async () => {
  t = await createTestDatabase("admin_plan_locations");
  for (const shop of [TWO, ONE]) {
    await t.db.shopSettings.create({ data: { shop, defaultLeadTimeDays: 10, processingDays: 0 } });
    await t.db.backorderLine.createMany({
      data: [line(shop, EAST, EAST, 4), line(shop, WEST, WEST, 3), line(shop, EAST, null, 2), line(shop, null, null, 1)],
    });
    await t.db.incomingBatch.create({
      data: { shop, variantId: "lamp", arrivesOn: new Date(`${on(5)}T00:00:00Z`), quantity: 4, locationId: WEST },
    });
  }
  const level = (shop: string, locationId: string) => ({ shop, inventoryItemId: "item-lamp", locationId, available: -2, updatedAt: NOW });
  await t.db.inventoryLevel.createMany({ data: [level(TWO, EAST), level(TWO, WEST), level(ONE, EAST)] });
});
afterAll(() => t?.drop());

const planOf = async (shop: string) => (await loadPlans(t.db, shop, NOW, 30)).plans.find((p) => p.variantId === "lamp")!;

describe("planning per location", () => {
  it("a batch at West does not clear East's placed line: the queue stays, the variant outgrows its next batch", async () => {
    const p = await planOf(TWO);
    expect(p.waitingUnits).toBe(4);
    expect(p.nextBatch).toEqual({ day: on(5), quantity: 4, queueBefore: 4 });
    expect(p.clearsOn).toBeNull();
    expect(p.risks).toEqual(["outgrows-next-batch"]);
    expect(p.byLocation).toEqual([
      { locationId: EAST, waitingUnits: 2, placedUnits: 1, clearsOn: null },
      { locationId: WEST, waitingUnits: 1, placedUnits: 1, clearsOn: on(5) },
      { locationId: null, waitingUnits: 1, placedUnits: 0, clearsOn: on(5) },
    ]);
    const v = (await loadVariantPlanning(t.db, TWO, "lamp", { now: NOW }))!;
    expect(v.plan.byLocation).toEqual(p.byLocation);
    expect(v.projection).toEqual([
      {
        day: on(5),
        arriving: 4,
        locationId: WEST,
        before: 4,
        after: 1,
        locations: [
          { locationId: EAST, before: 2, after: 1 },
          { locationId: WEST, before: 1, after: 0 },
          { locationId: null, before: 1, after: 0 },
        ],
      },
    ]);
  });

  it("a batch at East then clears it, East on that date", async () => {
    await t.db.incomingBatch.create({
      data: { shop: TWO, variantId: "lamp", arrivesOn: new Date(`${on(9)}T00:00:00Z`), quantity: 1, locationId: EAST },
    });
    const p = await planOf(TWO);
    expect(p.clearsOn).toBe(on(9));
    expect(p.risks).toEqual(["outgrows-next-batch"]);
    expect(p.byLocation![0]).toEqual({ locationId: EAST, waitingUnits: 2, placedUnits: 1, clearsOn: on(9) });
  });

  it("a one-location shop plans one pool, as before: the batch clears the queue, no breakdown", async () => {
    const p = await planOf(ONE);
    expect(p.byLocation).toBeNull();
    expect(p.clearsOn).toBe(on(5));
    expect(p.risks).toEqual([]);
    const v = (await loadVariantPlanning(t.db, ONE, "lamp", { now: NOW }))!;
    expect(v.projection).toEqual([{ day: on(5), arriving: 4, before: 4, after: 0 }]);
  });
});
