// Undoing the app's changes before uninstalling, end to end through the stand-in: after some
// backorders the undo puts each variant's inventory policy back to the one it had before the
// app (DENY where the app never recorded it), deletes the storefront metafields (the
// variants' and the shop's shipping one), takes the
// app's tag off its orders (the merchant's own tags stay) and releases its holds. Meanwhile the
// sync sends nothing else; a failure half-way is retried and finishes; a second run sends
// nothing; turning the app back on pushes its state again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { loadUndoStatus, requestUndo, resumeApp } from "../../app/admin/undo.server.ts";
import { loadSyncProblems } from "../../app/admin/settings.server.ts";
import { HOLD_HANDLE } from "../../app/sync/order-sync.server.ts";
import { syncBackoffMs } from "../../app/sync/runner.server.ts";
import { STOREFRONT_METAFIELD } from "../../app/backorder/storefront-status.ts";
import { ORDER_PROMISE_METAFIELD } from "../../app/backorder/order-promise.ts";
import { resolveNamespace } from "../../dev/admin-standin/resolvers.ts";
import { UNDO_PAGE } from "../../app/sync/undo.server.ts";
import { queueCatalogSyncOnInstall } from "../../app/sync/install.server.ts";
import { enqueueShopShipping } from "../../app/sync/shop-sync.server.ts";
import { SHOP_SHIPPING_METAFIELD } from "../../app/backorder/shop-shipping.ts";

const SHOP = "undo.myshopify.com";
const LOCATION = 81001;
const BEFORE = "2026-11-20T09:00:00Z";
// DENY before the app; CONTINUE before the app (the merchant's own), limited to 1 waiting unit;
// changed by an older version of the app that did not record the original (CONTINUE in Shopify).
const PLAIN = { product: 8100, variant: 81101, item: 81201, policy: "deny" };
const OWN = { product: 8200, variant: 82101, item: 82201, policy: "continue" };
const LEGACY = { product: 8300, variant: 83101, item: 83201, policy: "continue" };
const ORDERS = [8501, 8502, 8503];
const orderGid = (id: number) => `gid://shopify/Order/${id}`;
const variantGid = (id: number) => `gid://shopify/ProductVariant/${id}`;

let t: TestDatabase;
let h: Harness;
let stamp = Date.parse("2026-11-21T12:00:00Z");
const next = () => new Date((stamp += 60_000)).toISOString();

const policies = () =>
  Object.fromEntries([PLAIN, OWN, LEGACY].map((x) => [x.variant, h.shop.variants.get(variantGid(x.variant))!.inventoryPolicy]));
const appMetafields = () =>
  [...h.shop.metafields.values()]
    .filter((m) => m.namespace.startsWith("app--") && m.key === STOREFRONT_METAFIELD.key)
    .map((m) => m.ownerId)
    .sort();
/** The orders that carry the app's promise metafield (the Order status page's). */
const orderPromises = () =>
  [...h.shop.metafields.values()]
    .filter((m) => m.namespace.startsWith("app--") && m.key === ORDER_PROMISE_METAFIELD.key)
    .map((m) => m.ownerId)
    .sort();
/** The shop's `$app.backorder_shipping` value in Shopify, if any. */
const shipping = () =>
  h.shop.metafield(`gid://shopify/Shop/${SHOP.split(".")[0]}`, resolveNamespace("$app", h.standin.appId), SHOP_SHIPPING_METAFIELD.key)
    ?.value;
const tags = () => ORDERS.map((id) => h.shop.orders.get(orderGid(id))!.tags);
const ourHolds = () => [...h.shop.fulfillmentOrders.values()].flatMap((fo) => fo.holds.filter((x) => x.handle === HOLD_HANDLE));
const mutationCount = () => h.standin.mutations(SHOP).length;

beforeAll(async () => {
  t = await createTestDatabase("sync_undo");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    for (const x of [PLAIN, OWN, LEGACY]) {
      shop.addProduct({
        id: x.product,
        title: `Product ${x.product}`,
        updatedAt: BEFORE,
        variants: [
          {
            id: x.variant,
            inventoryItemId: x.item,
            inventoryPolicy: x.policy === "continue" ? "CONTINUE" : "DENY",
            stock: { [LOCATION]: 0 },
          },
        ],
      });
    }
  });
  await t.db.variantPolicy.createMany({
    data: [
      { shop: SHOP, variantId: String(PLAIN.variant), enabled: true },
      { shop: SHOP, variantId: String(OWN.variant), enabled: true, maxBackorder: 1 },
      { shop: SHOP, variantId: String(LEGACY.variant), enabled: true },
    ],
  });
  // What an older version of the app left: its policy pushed, the one before it not recorded.
  await t.db.syncedVariant.create({
    data: { shop: SHOP, variantId: String(LEGACY.variant), inventoryPolicy: "CONTINUE", metafieldValue: null, syncedAt: new Date(BEFORE) },
  });
  await h.deliver(
    [PLAIN, OWN, LEGACY].flatMap((x) => [
      {
        topic: "products/update",
        payload: productPayload({
          id: x.product,
          title: `Product ${x.product}`,
          updatedAt: BEFORE,
          variants: [{ id: x.variant, inventoryItemId: x.item, policy: x.policy }],
        }),
      },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(x.item, LOCATION, 0, next()) },
    ]),
  );
  await h.sync();
  // Backorders: each order waits for one unit; the merchant tagged one order themselves.
  for (const [i, x] of [PLAIN, OWN, PLAIN].entries()) {
    await h.deliver([
      {
        topic: "orders/create",
        payload: orderPayload({ id: ORDERS[i]!, createdAt: next(), lines: [{ id: ORDERS[i]! * 10, variantId: x.variant, quantity: 1 }] }),
      },
    ]);
  }
  h.shop.orders.get(orderGid(ORDERS[0]!))!.tags.push("vip");
  // The cart notice's shipping sentence, as the install's catalog sync publishes it.
  await t.db.$transaction((tx) => enqueueShopShipping(tx, SHOP, h.clock.date()));
  await h.deliver([
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(PLAIN.item, LOCATION, -2, next()) },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(OWN.item, LOCATION, -1, next()) },
  ]);
  await h.sync();
});
afterAll(async () => {
  await h?.close();
  await t?.drop();
});

describe("undo before uninstalling", () => {
  it("starts from a shop the app has changed", async () => {
    // OWN reached its limit of 1 waiting unit: the app switched it to DENY.
    expect(policies()).toEqual({ [PLAIN.variant]: "CONTINUE", [OWN.variant]: "DENY", [LEGACY.variant]: "CONTINUE" });
    expect(appMetafields()).toEqual([PLAIN, OWN, LEGACY].map((x) => variantGid(x.variant)).sort());
    expect(tags()).toEqual([["vip", "backorder"], ["backorder"], ["backorder"]]);
    expect(ourHolds()).toHaveLength(3);
    expect(shipping()).toBe('{"v":1,"hold":"lines"}');
    const originals = await t.db.syncedVariant.findMany({
      where: { shop: SHOP },
      orderBy: { variantId: "asc" },
      select: { variantId: true, originalPolicy: true },
    });
    expect(originals).toEqual([
      { variantId: String(PLAIN.variant), originalPolicy: "DENY" },
      { variantId: String(OWN.variant), originalPolicy: "CONTINUE" },
      { variantId: String(LEGACY.variant), originalPolicy: null },
    ]);
    expect((await loadUndoStatus(t.db, SHOP)).withoutOriginal).toBe(1);
  });

  it("pauses the sync at once: a new backorder changes the queue but nothing is sent to Shopify", async () => {
    await requestUndo(t.db, SHOP, h.clock.date());
    expect((await loadUndoStatus(t.db, SHOP)).pausedAt).not.toBeNull();
    // Shopify is down for tag removals (more failures than the gateway's own retries).
    h.standin.failNext(50, { kind: "http", status: 503 }, (c) => c.operationName === "RemoveTags");
    const before = mutationCount();
    await h.deliver([{ topic: "inventory_levels/update", payload: inventoryLevelPayload(PLAIN.item, LOCATION, -3, next()) }]);
    const pushes = await t.db.syncTask.count({ where: { shop: SHOP, kind: "variant", status: "pending" } });
    expect(pushes).toBeGreaterThan(0);
    const r = await h.sync();
    // Only the undo ran: policies and metafields went back, then the tags failed.
    expect(r).toEqual({ done: 0, retrying: 1, failed: 0 });
    expect(await t.db.syncTask.count({ where: { shop: SHOP, kind: "variant", status: "pending" } })).toBe(pushes);
    const sent = h.standin
      .mutations(SHOP)
      .slice(before)
      .map(([op]) => op);
    expect(new Set(sent)).toEqual(new Set(["UpdateVariantPolicies", "DeleteMetafields"]));
  });

  it("a failure half-way is shown, retried, and the undo finishes", async () => {
    const status = await loadUndoStatus(t.db, SHOP);
    expect(status.task).toMatchObject({ status: "pending", attempts: 1 });
    expect(status.task!.lastError).toMatch(/undo: 1 change\(s\) not taken back: order \d+: tag "backorder": .*503/);
    expect(status.remaining).toEqual({ policies: 0, metafields: 0, taggedOrders: 3, holds: 3, promises: 3 });
    expect(status.undoneAt).toBeNull();
    expect(policies()).toEqual({ [PLAIN.variant]: "DENY", [OWN.variant]: "CONTINUE", [LEGACY.variant]: "DENY" });

    h.standin.clearFaults();
    h.clock.advance(syncBackoffMs(1));
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    const done = await loadUndoStatus(t.db, SHOP);
    expect(done.remaining).toEqual({ policies: 0, metafields: 0, taggedOrders: 0, holds: 0, promises: 0 });
    expect(done.undoneAt).not.toBeNull();
    expect(done.task).toMatchObject({ status: "done", lastError: null });
    expect((await loadSyncProblems(t.db, SHOP)).taskCount).toBe(0);
  });

  it("leaves Shopify as it was before the app: original policies, no app metafield, no app tag, no hold", () => {
    expect(policies()).toEqual({ [PLAIN.variant]: "DENY", [OWN.variant]: "CONTINUE", [LEGACY.variant]: "DENY" });
    expect(appMetafields()).toEqual([]);
    expect(orderPromises()).toEqual([]);
    expect(shipping()).toBeUndefined();
    expect(tags()).toEqual([["vip"], [], []]);
    expect(ourHolds()).toEqual([]);
    expect(ORDERS.flatMap((id) => h.shop.fulfillmentOrdersOf(orderGid(id)).map((fo) => fo.status))).toEqual(["OPEN", "OPEN", "OPEN"]);
  });

  it("running it again sends nothing, and the paused sync still sends nothing", async () => {
    const before = mutationCount();
    await requestUndo(t.db, SHOP, h.clock.date());
    expect(await h.sync()).toEqual({ done: 1, retrying: 0, failed: 0 });
    await h.deliver([{ topic: "inventory_levels/update", payload: inventoryLevelPayload(OWN.item, LOCATION, -4, next()) }]);
    await h.sync();
    expect(mutationCount()).toBe(before);
    // The engine kept the queue meanwhile.
    const waiting = await t.db.backorderLine.aggregate({ where: { shop: SHOP, state: "waiting" }, _sum: { waitingQuantity: true } });
    expect(waiting._sum.waitingQuantity).toBe(3);
  });

  it("turning the app back on pushes its state again, keeping the recorded originals", async () => {
    expect(await resumeApp(t.db, SHOP, h.clock.date())).toEqual({ variants: 3, orders: 3 });
    await h.sync();
    expect(policies()).toEqual({ [PLAIN.variant]: "CONTINUE", [OWN.variant]: "DENY", [LEGACY.variant]: "CONTINUE" });
    expect(appMetafields()).toHaveLength(3);
    expect(orderPromises()).toEqual(ORDERS.map(orderGid).sort());
    expect(shipping()).toBe('{"v":1,"hold":"lines"}');
    expect(tags()).toEqual([["vip", "backorder"], ["backorder"], ["backorder"]]);
    expect(ourHolds()).toHaveLength(3);
    // The undo left each variant's own policy in Shopify: that is the original from now on
    // (also for LEGACY, whose first original was never recorded).
    const originals = await t.db.syncedVariant.findMany({
      where: { shop: SHOP },
      orderBy: { variantId: "asc" },
      select: { originalPolicy: true },
    });
    expect(originals.map((o) => o.originalPolicy)).toEqual(["DENY", "CONTINUE", "DENY"]);
    const status = await loadUndoStatus(t.db, SHOP);
    expect(status).toMatchObject({ pausedAt: null, withoutOriginal: 0 });
  });
});

describe("undo on a larger shop", () => {
  const BIG = "undo-big.myshopify.com";
  // Two products of 130 variants: more than a page of records (250), more than one policy call per product.
  const products = [9100, 9200].map((p) => ({
    id: p,
    variants: Array.from({ length: 130 }, (_, i) => ({ id: p * 1000 + i, item: p * 1000 + 500 + i })),
  }));
  const all = products.flatMap((p) => p.variants);
  let big: Harness;

  beforeAll(async () => {
    big = await createHarness(t.db, BIG, (shop) => {
      shop.addLocation(LOCATION, "Warehouse");
      for (const p of products) {
        shop.addProduct({
          id: p.id,
          title: `Product ${p.id}`,
          updatedAt: BEFORE,
          variants: p.variants.map((v) => ({ id: v.id, inventoryItemId: v.item, inventoryPolicy: "CONTINUE" as const })),
        });
      }
    });
    const ns = resolveNamespace(STOREFRONT_METAFIELD.namespace, big.standin.appId);
    for (const v of all)
      big.shop.putMetafield({ ownerId: variantGid(v.id), namespace: ns, key: STOREFRONT_METAFIELD.key, type: "json", value: "{}" });
    // What the app set on every variant; the catalog knows only the first product (the other's products are asked of Shopify).
    await t.db.syncedVariant.createMany({
      data: all.map((v) => ({
        shop: BIG,
        variantId: String(v.id),
        inventoryPolicy: "CONTINUE",
        metafieldValue: "{}",
        originalPolicy: "DENY",
        syncedAt: new Date(BEFORE),
      })),
    });
    await t.db.variant.createMany({
      data: products[0]!.variants.map((v) => ({
        shop: BIG,
        variantId: String(v.id),
        productId: String(products[0]!.id),
        productTitle: "P",
        title: "V",
        productUpdatedAt: new Date(BEFORE),
      })),
    });
  });
  afterAll(async () => {
    await big?.close();
  });

  it("pages through every record, in calls Shopify accepts, and leaves nothing", async () => {
    expect(all.length).toBeGreaterThan(UNDO_PAGE);
    await requestUndo(t.db, BIG, big.clock.date());
    expect(await big.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(all.filter((v) => big.shop.variants.get(variantGid(v.id))!.inventoryPolicy !== "DENY")).toEqual([]);
    expect([...big.shop.metafields.values()].filter((m) => m.key === STOREFRONT_METAFIELD.key)).toEqual([]);
    const sent = big.standin.mutations(BIG);
    const deletes = sent.filter(([op]) => op === "DeleteMetafields").map(([, v]) => (v.metafields as unknown[]).length);
    const updates = sent.filter(([op]) => op === "UpdateVariantPolicies").map(([, v]) => (v.variants as unknown[]).length);
    expect(Math.max(...deletes)).toBeLessThanOrEqual(25);
    expect(deletes.reduce((a, b) => a + b, 0)).toBe(all.length);
    expect(Math.max(...updates)).toBeLessThanOrEqual(100);
    expect(updates.reduce((a, b) => a + b, 0)).toBe(all.length);
    expect(await loadUndoStatus(t.db, BIG)).toMatchObject({
      remaining: { policies: 0, metafields: 0, taggedOrders: 0, holds: 0, promises: 0 },
    });
  });

  it("waits for a push another worker is still sending, then finishes", async () => {
    const variant = String(all[0]!.id);
    // Claimed before the pause by another worker, its lease still running.
    await t.db.syncTask.create({
      data: { shop: BIG, kind: "variant", targetId: variant, status: "running", attempts: 1, lockedUntil: new Date(big.clock.t + 60_000) },
    });
    await requestUndo(t.db, BIG, big.clock.date());
    const before = big.standin.mutations(BIG).length;
    expect(await big.run()).toEqual({ done: 0, retrying: 1, failed: 0 });
    expect((await loadUndoStatus(t.db, BIG)).task?.lastError).toMatch(/waiting for 1 update\(s\) already being sent/);
    big.clock.advance(120_000);
    expect(await big.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(big.standin.mutations(BIG).length).toBe(before);
    // The paused shop's own push was not taken over meanwhile.
    expect(await t.db.syncTask.findFirst({ where: { shop: BIG, kind: "variant" }, select: { status: true } })).toEqual({
      status: "running",
    });
  });

  it("installing the app again after the undo and an uninstall ends the pause", async () => {
    await t.db.shopSettings.update({ where: { shop: BIG }, data: { uninstalledAt: big.clock.date() } });
    expect((await loadUndoStatus(t.db, BIG)).pausedAt).not.toBeNull();
    expect(await queueCatalogSyncOnInstall(t.db, BIG, big.clock.date())).toBe(true);
    expect((await loadUndoStatus(t.db, BIG)).pausedAt).toBeNull();
  });
});
