// The code's copy of ShopSettings' @default values (used before a shop has a row) must be
// what the database itself fills in: a shop reads the same before and after its row exists.
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadShopDefaults, SCHEMA_DEFAULTS } from "../../app/admin/shop-context.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("shopdefaults");
});
afterAll(() => t.drop());

it("SCHEMA_DEFAULTS are the values a new ShopSettings row gets", async () => {
  const shop = "defaults.myshopify.com";
  expect(await loadShopDefaults(t.db, shop)).toEqual(SCHEMA_DEFAULTS);
  await t.db.shopSettings.create({ data: { shop } });
  expect(await loadShopDefaults(t.db, shop)).toEqual(SCHEMA_DEFAULTS);
});
