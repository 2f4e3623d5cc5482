// A burst: 60 managed variants oversold at once. The sync batches (one
// productVariantsBulkUpdate per product, metafieldsSet 25 at a time) and the gateway
// waits for Shopify's bucket instead of failing: no THROTTLED reaches a task.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { SYNC_DEBOUNCE_MS } from "../../app/sync/hooks.server.ts";

const SHOP = "burst-outfitters.myshopify.com";
const LOCATION = 77001;
const PRODUCTS = [6100, 6200, 6300];
const variantsOf = (p: number) => Array.from({ length: 20 }, (_, i) => ({ id: p * 1000 + i, item: p * 1000 + 500 + i }));
const ALL = PRODUCTS.flatMap((p) => variantsOf(p).map((v) => ({ ...v, product: p })));
const BEFORE = "2026-11-20T09:00:00Z";

let t: TestDatabase;
let h: Harness;

beforeAll(async () => {
  t = await createTestDatabase("sync_burst");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    for (const p of PRODUCTS) {
      shop.addProduct({
        id: p,
        title: `Product ${p}`,
        updatedAt: BEFORE,
        variants: variantsOf(p).map((v) => ({ id: v.id, inventoryItemId: v.item, stock: { [LOCATION]: 1 } })),
      });
    }
  });
  await t.db.variantPolicy.createMany({ data: ALL.map((v) => ({ shop: SHOP, variantId: String(v.id), enabled: true })) });
  // The catalog, as products/update webhooks tell it.
  await h.deliver(
    PRODUCTS.map((p) => ({
      topic: "products/update",
      payload: productPayload({
        id: p,
        title: `Product ${p}`,
        updatedAt: BEFORE,
        variants: variantsOf(p).map((v) => ({ id: v.id, inventoryItemId: v.item, policy: "deny" })),
      }),
    })),
  );
});
afterAll(async () => {
  await h.close();
  await t.drop();
});

describe("a burst of variant changes", () => {
  it("is pushed in batched calls, waiting for the bucket rather than failing", async () => {
    // Every variant sells 3 beyond its stock of 1.
    await h.deliver(
      ALL.map((v, i) => ({
        topic: "inventory_levels/update",
        payload: inventoryLevelPayload(v.item, LOCATION, -2, `2026-11-20T10:00:${String(i % 60).padStart(2, "0")}-05:00`),
      })),
    );
    expect(await t.db.syncTask.count({ where: { shop: SHOP, kind: "variant", status: "pending" } })).toBe(60);

    // The shop's bucket is nearly empty when the sync starts (another job of ours used it).
    h.clock.advance(SYNC_DEBOUNCE_MS);
    h.standin.bucket(SHOP).set(5);
    const from = h.standin.calls.length;
    const sleepsFrom = h.clock.sleeps.length;
    const r = await h.run();

    expect(r).toEqual({ done: 60, retrying: 0, failed: 0 });
    const calls = h.standin.calls.slice(from);
    const ran = calls.filter((c) => c.errors.length === 0);
    expect(ran.map((c) => c.operationName)).toEqual([
      "UpdateVariantPolicies",
      "UpdateVariantPolicies",
      "UpdateVariantPolicies",
      "SetMetafields",
      "SetMetafields",
      "SetMetafields",
    ]);
    expect(ran.slice(0, 3).map((c) => [c.variables.productId, (c.variables.variants as unknown[]).length])).toEqual(
      PRODUCTS.map((p) => [`gid://shopify/Product/${p}`, 20]),
    );
    expect(ran.slice(3).map((c) => (c.variables.metafields as unknown[]).length)).toEqual([25, 25, 10]);

    // The first call found the bucket empty (the gateway had not heard from this shop yet):
    // Shopify said THROTTLED, the gateway waited and sent it again. After that it knew the
    // bucket and waited before each call, so Shopify never throttled it again.
    expect(calls.filter((c) => c.errors.includes("THROTTLED")).map((c) => c.operationName)).toEqual(["UpdateVariantPolicies"]);
    expect(calls).toHaveLength(7);
    // One wait after THROTTLED, then one before each further call: 6 mutations × 10 points
    // with 5 in the bucket at 100 points/s is at least 0.55 s of waiting.
    const waited = h.clock.sleeps.slice(sleepsFrom);
    expect(waited).toHaveLength(6);
    expect(waited.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(550);

    // Shopify now sells all 60 on backorder and shows the status.
    const storefront = h.standin.storefront(SHOP).flatMap((p) => p.variants);
    expect(storefront).toHaveLength(60);
    expect(
      storefront.every((v) => v.inventoryPolicy === "CONTINUE" && (v.backorderStatus as { state: string }).state === "backorder"),
    ).toBe(true);
  });

  it("does not push a stock flip that was corrected before the debounce ran out", async () => {
    const v = ALL[0]!;
    const from = h.standin.calls.length;
    await h.deliver([
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(v.item, LOCATION, -3, "2026-11-20T11:00:00-05:00") },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(v.item, LOCATION, -2, "2026-11-20T11:00:01-05:00") },
    ]);
    const task = await t.db.syncTask.findUniqueOrThrow({
      where: { shop_kind_targetId: { shop: SHOP, kind: "variant", targetId: String(v.id) } },
    });
    expect(task.status).toBe("pending");
    const r = await h.sync();
    expect(r.done).toBe(1);
    expect(h.standin.calls.slice(from)).toEqual([]);
  });
});
