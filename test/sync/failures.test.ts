// When Shopify fails: transient failures are retried (by the gateway, then by the task
// with backoff); permanent ones leave the task `failed` with its error for the merchant,
// everything else (engine state, inbox, the other pushes) is kept, and a retry on
// request finishes the job.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { enqueueSync } from "../../app/sync/tasks.server.ts";
import { retryFailedSyncTasks, runPendingSync, syncBackoffMs } from "../../app/sync/runner.server.ts";
import { SYNC_DEBOUNCE_MS } from "../../app/sync/hooks.server.ts";
import type { GatewayFactory } from "../../app/shopify/gateway.server.ts";

const SHOP = "fragile-goods.myshopify.com";
const LOCATION = 88001;
const A = { product: 7100, variant: 71001, item: 71501 };
const B = { product: 7200, variant: 72001, item: 72501 };
const BEFORE = "2026-11-20T09:00:00Z";

let t: TestDatabase;
let h: Harness;

const taskOf = (kind: string, targetId: number) =>
  t.db.syncTask.findUniqueOrThrow({ where: { shop_kind_targetId: { shop: SHOP, kind, targetId: String(targetId) } } });
const enqueueBoth = () =>
  t.db.$transaction((tx) => enqueueSync(tx, SHOP, { variantIds: [String(A.variant), String(B.variant)] }, h.clock.date()));
const ops = (from: number) =>
  h.standin.calls
    .slice(from)
    .map(
      (c) =>
        `${c.operationName}${c.status !== 200 ? ` ${c.status}` : ""}${c.errors.length && c.status === 200 ? ` ${c.errors.join(",")}` : ""}`,
    );

beforeAll(async () => {
  t = await createTestDatabase("sync_failures");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    for (const x of [A, B])
      shop.addProduct({
        id: x.product,
        title: `Product ${x.product}`,
        updatedAt: BEFORE,
        variants: [{ id: x.variant, inventoryItemId: x.item, stock: { [LOCATION]: 2 } }],
      });
  });
  await t.db.variantPolicy.createMany({ data: [A, B].map((x) => ({ shop: SHOP, variantId: String(x.variant), enabled: true })) });
  await h.deliver(
    [A, B].map((x) => ({
      topic: "products/update",
      payload: productPayload({
        id: x.product,
        title: `Product ${x.product}`,
        updatedAt: BEFORE,
        variants: [{ id: x.variant, inventoryItemId: x.item, policy: "deny" }],
      }),
    })),
  );
});
afterAll(async () => {
  await h.close();
  await t.drop();
});
beforeEach(() => h.standin.clearFaults());

describe("a failing Admin API", () => {
  it("retries 502s, a 429 and a dropped connection, then succeeds", async () => {
    h.standin.failNext(2, { kind: "http", status: 502 }, (c) => c.operationName === "SetMetafields");
    h.standin.failNext(1, { kind: "http", status: 429 }, (c) => c.operationName === "UpdateVariantPolicies");
    h.standin.failNext(1, { kind: "network" }, (c) => c.operationName === "UpdateVariantPolicies");
    const from = h.standin.calls.length;
    const sleepsFrom = h.clock.sleeps.length;
    const r = await h.sync();
    expect(r).toEqual({ done: 2, retrying: 0, failed: 0 });
    expect(ops(from)).toEqual([
      "UpdateVariantPolicies 429",
      "UpdateVariantPolicies", // dropped connection: logged by the stand-in, never answered
      "UpdateVariantPolicies",
      "UpdateVariantPolicies",
      "SetMetafields 502",
      "SetMetafields 502",
      "SetMetafields",
    ]);
    // Exponential backoff: 1 s, 2 s for the 429 and the drop; 1 s, 2 s for the 502s.
    expect(h.clock.sleeps.slice(sleepsFrom)).toEqual([1000, 2000, 1000, 2000]);
    expect(h.shop.variants.get(`gid://shopify/ProductVariant/${A.variant}`)!.inventoryPolicy).toBe("CONTINUE");
    expect(await taskOf("variant", A.variant)).toMatchObject({ status: "done", lastError: null, attempts: 1 });
  });

  it("surfaces a permanent failure on its task, loses nothing else, and finishes on the merchant's retry", async () => {
    // Shopify refuses B's product update (say the product was archived meanwhile).
    h.standin.failNext(
      1,
      { kind: "userErrors", userErrors: [{ field: ["productId"], message: "Product is suspended", code: "PRODUCT_SUSPENDED" }] },
      (c) => c.variables.productId === `gid://shopify/Product/${B.product}`,
    );
    // Both variants oversell: orders and stock arrive as webhooks.
    const from = h.standin.calls.length;
    await h.deliver([
      {
        topic: "orders/create",
        payload: orderPayload({
          id: 9001,
          createdAt: "2026-11-20T10:00:00-05:00",
          lines: [
            { id: 90011, variantId: A.variant, quantity: 3 },
            { id: 90012, variantId: B.variant, quantity: 3 },
          ],
        }),
      },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(A.item, LOCATION, -1, "2026-11-20T10:00:00-05:00") },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(B.item, LOCATION, -1, "2026-11-20T10:00:00-05:00") },
    ]);
    await t.db.variantPolicy.update({ where: { shop_variantId: { shop: SHOP, variantId: String(B.variant) } }, data: { maxBackorder: 1 } });
    await enqueueBoth();
    const r = await h.sync();
    // Done: variant A, the order (tag, hold) and its promise (the Order status page's metafield).
    expect(r).toEqual({ done: 3, retrying: 0, failed: 1 });
    expect(ops(from)).toEqual([
      "UpdateVariantPolicies",
      "SetMetafields",
      "AddTags",
      "OrderFulfillmentOrders",
      "HoldFulfillmentOrder",
      "SetMetafields",
    ]);

    const failed = await taskOf("variant", B.variant);
    expect(failed).toMatchObject({
      status: "failed",
      lastError: "UpdateVariantPolicies: productId: Product is suspended",
      lockedUntil: null,
    });
    // The rest went through: A's and B's storefront status (one metafieldsSet), the order's tag and hold.
    expect(await taskOf("variant", A.variant)).toMatchObject({ status: "done" });
    expect(await taskOf("order", 9001)).toMatchObject({ status: "done" });
    expect(
      h.standin.storefront(SHOP).flatMap((p) => p.variants.map((v) => [v.restId, (v.backorderStatus as { state: string }).state])),
    ).toEqual([
      [String(A.variant), "backorder"],
      [String(B.variant), "sold_out"],
    ]);
    // Engine state and inbox untouched by the failure.
    expect(
      await t.db.backorderLine.findMany({
        where: { shop: SHOP },
        orderBy: { lineItemId: "asc" },
        select: { lineItemId: true, state: true, waitingQuantity: true },
      }),
    ).toEqual([
      { lineItemId: "90011", state: "waiting", waitingQuantity: 1 },
      { lineItemId: "90012", state: "waiting", waitingQuantity: 1 },
    ]);
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: { not: "done" } } })).toBe(0);
    // What Shopify was told is recorded part by part: B's metafield yes, its policy (DENY) not.
    expect(
      await t.db.syncedVariant.findUniqueOrThrow({ where: { shop_variantId: { shop: SHOP, variantId: String(B.variant) } } }),
    ).toMatchObject({ inventoryPolicy: "CONTINUE" });

    // Another run does not retry it on its own ...
    const quiet = h.standin.calls.length;
    expect(await h.sync()).toEqual({ done: 0, retrying: 0, failed: 0 });
    expect(h.standin.calls.length).toBe(quiet);
    // ... the merchant's retry does.
    expect(await retryFailedSyncTasks(t.db, SHOP, undefined, h.clock.date())).toBe(1);
    expect(await h.sync()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(ops(quiet)).toEqual(["UpdateVariantPolicies"]);
    expect(h.standin.calls.at(-1)!.variables).toEqual({
      productId: `gid://shopify/Product/${B.product}`,
      variants: [{ id: `gid://shopify/ProductVariant/${B.variant}`, inventoryPolicy: "DENY" }],
    });
    expect(await taskOf("variant", B.variant)).toMatchObject({ status: "done", lastError: null });
  });

  it("puts a task back with backoff while Shopify stays down, and fails it after the last attempt", async () => {
    h.standin.failNext(1000, { kind: "http", status: 503 });
    await t.db.variantPolicy.update({ where: { shop_variantId: { shop: SHOP, variantId: String(A.variant) } }, data: { maxBackorder: 1 } });
    await t.db.$transaction((tx) => enqueueSync(tx, SHOP, { variantIds: [String(A.variant)] }, h.clock.date()));

    expect(await h.sync({ maxAttempts: 2 })).toEqual({ done: 0, retrying: 1, failed: 0 });
    const first = await taskOf("variant", A.variant);
    expect(first).toMatchObject({
      status: "pending",
      attempts: 1,
      lastError: "attempt 1: UpdateVariantPolicies: HTTP 503 (gave up after 5 tries)",
    });
    expect(first.dueAt.getTime()).toBe(h.clock.now() + syncBackoffMs(1));

    // Not due yet: nothing happens.
    expect(await h.run({ maxAttempts: 2 })).toEqual({ done: 0, retrying: 0, failed: 0 });
    h.clock.advance(syncBackoffMs(1));
    expect(await h.run({ maxAttempts: 2 })).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect(await taskOf("variant", A.variant)).toMatchObject({
      status: "failed",
      attempts: 2,
      lastError: expect.stringContaining("attempt 2: UpdateVariantPolicies: HTTP 503"),
    });

    h.standin.clearFaults();
    await retryFailedSyncTasks(t.db, SHOP, [first.id], h.clock.date());
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(h.shop.variants.get(`gid://shopify/ProductVariant/${A.variant}`)!.inventoryPolicy).toBe("DENY");
  });

  it("keeps a change made while a push is running for the next run", async () => {
    await t.db.variantPolicy.update({
      where: { shop_variantId: { shop: SHOP, variantId: String(A.variant) } },
      data: { maxBackorder: null },
    });
    await t.db.$transaction((tx) => enqueueSync(tx, SHOP, { variantIds: [String(A.variant)] }, h.clock.date()));
    h.clock.advance(SYNC_DEBOUNCE_MS);
    // The merchant changes the variant again while Shopify is answering the first push.
    const gateways: GatewayFactory = (shop) => {
      const gw = h.gateways(shop);
      const push = gw.setInventoryPolicies.bind(gw);
      gw.setInventoryPolicies = async (...args) => {
        await t.db.$transaction((tx) => enqueueSync(tx, SHOP, { variantIds: [String(A.variant)] }, h.clock.date()));
        return push(...args);
      };
      return gw;
    };
    expect(await runPendingSync(t.db, gateways, { now: h.clock.date, maxPasses: 1 })).toEqual({ done: 0, retrying: 1, failed: 0 });
    // The push succeeded, but the newer change is not marked done with it: it waits, unleased.
    expect(await taskOf("variant", A.variant)).toMatchObject({ status: "pending", lockedUntil: null, attempts: 0 });
    const from = h.standin.calls.length;
    expect(await h.sync()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(h.standin.calls.length).toBe(from); // already in step with Shopify
  });
});
