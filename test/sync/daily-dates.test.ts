// Storefront dates that count from "today" move at the shop's midnight with no webhook:
// once per shop-local day the app re-publishes them, pushing only what changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { refreshDatesForNewDay } from "../../app/sync/daily-dates.server.ts";
import { addDays, todayIn } from "../../app/backorder/eta.ts";
import { STOREFRONT_METAFIELD } from "../../app/backorder/storefront-status.ts";
import { resolveNamespace } from "../../dev/admin-standin/resolvers.ts";

const SHOP = "daily-dates.myshopify.com";
const LOCATION = 99101;
const P = 8400;
const V = { leadTime: 84001, restockDate: 84002 };
const I = { leadTime: 84501, restockDate: 84502 };
const DAY_MS = 24 * 60 * 60_000;

let t: TestDatabase;
let h: Harness;

const eta = (variantId: number) => {
  const mf = h.shop.metafield(
    `gid://shopify/ProductVariant/${variantId}`,
    resolveNamespace(STOREFRONT_METAFIELD.namespace, h.standin.appId),
    STOREFRONT_METAFIELD.key,
  );
  return mf ? (JSON.parse(mf.value) as { eta: string | null }).eta : undefined;
};
const metafieldWrites = (from: number) =>
  h.standin.calls
    .slice(from)
    .filter((c) => c.operationName === "SetMetafields")
    .flatMap((c) => (c.variables.metafields as { ownerId: string }[]).map((m) => m.ownerId));

beforeAll(async () => {
  t = await createTestDatabase("sync_daily_dates");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    shop.addProduct({
      id: P,
      title: "Loden Coat",
      updatedAt: "2026-11-20T09:00:00Z",
      variants: [
        { id: V.leadTime, inventoryItemId: I.leadTime, stock: { [LOCATION]: 0 } },
        { id: V.restockDate, inventoryItemId: I.restockDate, stock: { [LOCATION]: 0 } },
      ],
    });
  });
  await t.db.shopSettings.create({ data: { shop: SHOP, timezone: "America/New_York", defaultLeadTimeDays: 10, processingDays: 0 } });
  // One variant dated by lead time (moves every day), one by a restock date far ahead (does not).
  await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: String(V.leadTime), enabled: true } });
  await t.db.variantPolicy.create({
    data: {
      shop: SHOP,
      variantId: String(V.restockDate),
      enabled: true,
      restockDate: new Date("2027-03-01T00:00:00Z"),
      incomingQuantity: 50,
    },
  });
  await h.deliver([
    {
      topic: "products/update",
      payload: productPayload({
        id: P,
        title: "Loden Coat",
        updatedAt: "2026-11-20T09:00:00Z",
        variants: [
          { id: V.leadTime, inventoryItemId: I.leadTime },
          { id: V.restockDate, inventoryItemId: I.restockDate },
        ],
      }),
    },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(I.leadTime, LOCATION, 0, "2026-11-20T10:00:00-05:00") },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(I.restockDate, LOCATION, 0, "2026-11-20T10:00:00-05:00") },
  ]);
  await h.sync();
});
afterAll(async () => {
  await h.close();
  await t.drop();
});

describe("storefront dates at a new day", () => {
  it("are re-published once per shop-local day, only for variants whose date moved", async () => {
    const first = eta(V.leadTime)!;
    const restock = eta(V.restockDate)!;
    expect(first).not.toBeNull();

    // The first look of a day claims it; within the day nothing more is queued.
    expect(await refreshDatesForNewDay(t.db, h.clock.date())).toEqual({ shops: 1, variants: 2 });
    await h.sync();
    expect(eta(V.leadTime)).toBe(first);
    expect(await refreshDatesForNewDay(t.db, h.clock.date())).toEqual({ shops: 0, variants: 0 });

    // A week later (same weekday, so business-day rounding cannot hide the move).
    h.clock.advance(7 * DAY_MS);
    const from = h.standin.calls.length;
    expect(await refreshDatesForNewDay(t.db, h.clock.date())).toEqual({ shops: 1, variants: 2 });
    expect((await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).datesRefreshedOn).toBe(
      todayIn("America/New_York", h.clock.date()),
    );
    await h.sync();
    expect(eta(V.leadTime)).toBe(addDays(first, 7));
    expect(eta(V.restockDate)).toBe(restock);
    // Only the variant whose status changed was written to Shopify.
    expect(metafieldWrites(from)).toEqual([`gid://shopify/ProductVariant/${V.leadTime}`]);
  });

  it("leaves an uninstalled shop alone", async () => {
    await t.db.shopSettings.update({ where: { shop: SHOP }, data: { uninstalledAt: h.clock.date() } });
    h.clock.advance(DAY_MS);
    expect(await refreshDatesForNewDay(t.db, h.clock.date())).toEqual({ shops: 0, variants: 0 });
  });
});
