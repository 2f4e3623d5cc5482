// The variants page: its "enabled" and "backordered" filters listed every
// matching id in an IN (...) list, past SQLite's bound-parameter limit on a large catalog.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { loadVariantsPage, saveVariantSettings, VARIANTS_PAGE_SIZE } from "../../app/admin/variants.server.ts";

let t: TestDatabase;
const SHOP = "big-catalog.myshopify.com";
const OTHER = "other-catalog.myshopify.com";
const N = 1200;
const id = (i: number) => String(9_000_000 + i);

beforeAll(async () => {
  t = await createTestDatabase("variants_filter");
  const at = new Date("2026-11-01T00:00:00Z");
  for (const shop of [SHOP, OTHER]) {
    await t.db.variant.createMany({
      data: Array.from({ length: N }, (_, i) => ({
        shop,
        variantId: id(i),
        productId: "1",
        productTitle: `Tee ${String(i).padStart(4, "0")}`,
        title: i === 7 ? "100% cotton" : "M",
        sku: `SKU_${i}`,
        productUpdatedAt: at,
      })),
    });
  }
  // 1,100 enabled (and one disabled policy); 1,050 with a waiting line.
  await t.db.variantPolicy.createMany({
    data: Array.from({ length: 1101 }, (_, i) => ({ shop: SHOP, variantId: id(i), enabled: i < 1100 })),
  });
  await t.db.backorderLine.createMany({
    data: Array.from({ length: 1050 }, (_, i) => ({
      shop: SHOP,
      lineItemId: `l${i}`,
      orderId: "o",
      orderName: "#1",
      orderedAt: at,
      variantId: id(N - 1 - i),
      title: "Tee",
      snapshotQuantity: 1,
      snapshotOpenQuantity: 1,
      quantity: 1,
      openQuantity: 1,
      waitingQuantity: 1,
      state: "waiting",
    })),
  });
});
afterAll(() => t.drop());

describe("the variants page on a catalog of 1,200 variants", () => {
  it("filters 1,100 enabled variants, page by page, in catalog order", async () => {
    const first = await loadVariantsPage(t.db, SHOP, { filter: "enabled" });
    expect(first.total).toBe(1100);
    expect(first.rows.map((r) => r.variantId)).toEqual(Array.from({ length: VARIANTS_PAGE_SIZE }, (_, i) => id(i)));
    expect(first.rows.every((r) => r.enabled)).toBe(true);
    expect(first.hasNext).toBe(true);
    const last = await loadVariantsPage(t.db, SHOP, { filter: "enabled", page: 22 });
    expect(last.rows.map((r) => r.variantId)).toEqual(Array.from({ length: VARIANTS_PAGE_SIZE }, (_, i) => id(1050 + i)));
    expect(last.hasNext).toBe(false);
  });

  it("filters 1,050 backordered variants, with their waiting units", async () => {
    const page = await loadVariantsPage(t.db, SHOP, { filter: "backordered", page: 2 });
    expect(page.total).toBe(1050);
    expect(page.rows.map((r) => r.variantId)).toEqual(Array.from({ length: VARIANTS_PAGE_SIZE }, (_, i) => id(N - 1050 + 50 + i)));
    expect(page.rows.every((r) => r.waitingUnits === 1)).toBe(true);
  });

  it("searches text literally and keeps to the shop", async () => {
    expect((await loadVariantsPage(t.db, SHOP, { search: "100%" })).rows.map((r) => r.variantId)).toEqual([id(7)]);
    expect((await loadVariantsPage(t.db, SHOP, { search: "sku_11" })).total).toBe(111); // SKU_11, SKU_110-119, SKU_1100-1199, any case
    expect((await loadVariantsPage(t.db, SHOP, { search: "%" })).total).toBe(1);
    expect((await loadVariantsPage(t.db, OTHER, { filter: "enabled" })).total).toBe(0);
    expect((await loadVariantsPage(t.db, OTHER, { filter: "all" })).total).toBe(N);
  });

  it("saves settings for 1,000 selected variants at once (the bulk edit's maximum)", async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => id(i));
    const r = await saveVariantSettings(t.db, SHOP, ids, { leadTimeDays: "9" });
    expect(r).toMatchObject({ ok: true, saved: 1000 });
    expect(await t.db.variantPolicy.count({ where: { shop: SHOP, leadTimeDays: 9 } })).toBe(1000);
    expect(await t.db.variantPolicy.count({ where: { shop: OTHER } })).toBe(0);
  });
});
