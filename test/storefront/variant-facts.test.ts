// loadVariantFacts on a real database: the numbers storefrontStatus() dates the queue by.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { loadVariantFacts, DEFAULT_SHOP_FACTS } from "../../app/engine/storefront-facts.server.ts";
import { recomputeVariant } from "../../app/engine/recompute.server.ts";
import { storefrontStatus } from "../../app/backorder/storefront-status.ts";

let t: TestDatabase;
const SHOP = "facts.myshopify.com";
const VARIANT = "4001";
const ITEM = "9001";
const NOW = new Date("2026-11-24T03:00:00Z"); // still Monday 11-23 in New York

beforeAll(async () => {
  t = await createTestDatabase("sffacts");
});
afterAll(() => t.drop());

beforeEach(async () => {
  for (const m of ["lineEvent", "backorderLine", "inventoryLevel", "variant", "variantPolicy", "shopSettings"] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({ where: { shop: SHOP } });
  }
  await t.db.variant.create({
    data: {
      shop: SHOP,
      variantId: VARIANT,
      productId: "1",
      inventoryItemId: ITEM,
      productTitle: "Linen shirt",
      title: "M",
      productUpdatedAt: NOW,
    },
  });
});

const level = (locationId: string, available: number, updatedAt = new Date("2026-11-23T12:00:00Z")) =>
  t.db.inventoryLevel.create({ data: { shop: SHOP, inventoryItemId: ITEM, locationId, available, updatedAt } });

let lineSeq = 0;
const line = (orderedAt: Date, quantity: number) => {
  lineSeq++;
  return t.db.backorderLine.create({
    data: {
      shop: SHOP,
      lineItemId: String(7000 + lineSeq),
      orderId: String(8000 + lineSeq),
      orderName: `#${1000 + lineSeq}`,
      orderedAt,
      variantId: VARIANT,
      title: "Linen shirt - M",
      snapshotQuantity: quantity,
      snapshotOpenQuantity: quantity,
      quantity,
      openQuantity: quantity,
      state: "pending",
    },
  });
};

describe("loadVariantFacts", () => {
  it("uses the shop defaults and UTC when the shop has no settings yet", async () => {
    await level("L1", 4);
    const facts = await loadVariantFacts(t.db, SHOP, VARIANT, NOW);
    expect(facts).toEqual({ available: 4, waitingUnits: 0, policy: null, shop: DEFAULT_SHOP_FACTS, today: "2026-11-24" });
    expect(storefrontStatus(facts).state).toBe("in_stock");
  });

  it("sums levels over locations and counts the engine's waiting units, today in the shop's zone", async () => {
    await t.db.shopSettings.create({ data: { shop: SHOP, timezone: "America/New_York", processingDays: 2, defaultLeadTimeDays: 10 } });
    await t.db.variantPolicy.create({
      data: {
        shop: SHOP,
        variantId: VARIANT,
        enabled: true,
        maxBackorder: 5,
        restockDate: new Date("2026-12-01T00:00:00Z"),
        incomingQuantity: 2,
        message: "Soon",
      },
    });
    await level("L1", -3);
    await level("L2", 1);
    await line(new Date("2026-11-23T10:00:00Z"), 2);
    await line(new Date("2026-11-23T11:00:00Z"), 2);
    await recomputeVariant(t.db, SHOP, VARIANT, NOW, "test");

    const facts = await loadVariantFacts(t.db, SHOP, VARIANT, NOW);
    const stored = await t.db.backorderLine.aggregate({ where: { shop: SHOP, variantId: VARIANT }, _sum: { waitingQuantity: true } });
    expect(stored._sum.waitingQuantity).toBe(3);
    expect(facts).toEqual({
      available: -2,
      waitingUnits: 3,
      policy: { enabled: true, maxBackorder: 5, restockDate: "2026-12-01", incomingQuantity: 2, leadTimeDays: null, message: "Soon" },
      shop: { messageTemplate: DEFAULT_SHOP_FACTS.messageTemplate, defaultLeadTimeDays: 10, processingDays: 2 },
      today: "2026-11-23",
    });
    // Unit 4 with 2 per cycle: second cycle (12-01 + 10 days = Fri 12-11) + 2 business days.
    expect(storefrontStatus(facts)).toEqual({ v: 1, state: "backorder", eta: "2026-12-15", remaining: 2, message: "Soon" });
  });

  it("counts orders newer than the newest level, as the engine does", async () => {
    await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: VARIANT, enabled: true, maxBackorder: 2 } });
    await level("L1", 1, new Date("2026-11-23T09:00:00Z"));
    // Sold after that level was read: 1 unit covered, 2 short.
    await line(new Date("2026-11-23T10:00:00Z"), 3);
    await recomputeVariant(t.db, SHOP, VARIANT, NOW, "test");
    const facts = await loadVariantFacts(t.db, SHOP, VARIANT, NOW);
    expect(facts.available).toBe(-2);
    expect(facts.waitingUnits).toBe(2);
    expect(storefrontStatus(facts)).toMatchObject({ state: "sold_out", remaining: 0 });
  });

  it("ignores cancelled and fulfilled lines", async () => {
    await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: VARIANT, enabled: true } });
    await level("L1", 0);
    const l = await line(new Date("2026-11-23T10:00:00Z"), 1);
    await t.db.backorderLine.update({
      where: { shop_lineItemId: { shop: SHOP, lineItemId: l.lineItemId } },
      data: { state: "cancelled", cancelledAt: NOW },
    });
    const facts = await loadVariantFacts(t.db, SHOP, VARIANT, NOW);
    expect(facts).toMatchObject({ available: 0, waitingUnits: 0 });
    expect(storefrontStatus(facts).state).toBe("backorder");
  });
});
