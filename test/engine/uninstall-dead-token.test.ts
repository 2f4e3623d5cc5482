// Issue 14, item 4: with expiring offline tokens most app/uninstalled and shop/redact
// deliveries come when the shop's token has run out, or after Shopify revoked it at the
// uninstall. The door verifies the HMAC alone (no session, no token refresh) and the worker
// deletes without calling Shopify: real signed deliveries through the door and the worker,
// then a sync pass with the production refresher, and the stand-in sees neither an Admin API
// call nor a token request.
import { Prisma } from "../../prisma/generated/sqlite/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { TEST_API_KEY, TEST_SECRET } from "../support/webhooks.ts";
import { createHarness, type Harness } from "../sync/harness.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { createGatewayFactory } from "../../app/shopify/gateway.server.ts";
import { offlineTokenRefresher } from "../../app/shopify/offline-token.server.ts";
import { runPendingSync } from "../../app/sync/runner.server.ts";
import { enqueueSync } from "../../app/sync/tasks.server.ts";

const LOCATION = 61001;
const P = { product: 6100, variant: 61101, item: 61201 };
const AT = "2026-11-25T10:00:00Z";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("uninstall_dead_token");
});
afterAll(() => t.drop());

/** Every model that holds a shop's data (a `shop` column), each a count for this shop. */
async function shopRows(shop: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of Prisma.dmmf.datamodel.models.filter((x) => x.fields.some((f) => f.name === "shop"))) {
    const delegate = t.db[(m.name[0]!.toLowerCase() + m.name.slice(1)) as keyof typeof t.db] as unknown as {
      count(a: object): Promise<number>;
    };
    out[m.name] = await delegate.count({ where: { shop } });
  }
  return out;
}

/** An installed shop with a backorder, its storefront pushed, on an expiring token pair. */
async function installedShop(domain: string): Promise<Harness> {
  const h = await createHarness(t.db, domain, (shop) => {
    shop.addLocation(LOCATION, "Depot");
    shop.addProduct({
      id: P.product,
      title: "Kettle",
      updatedAt: AT,
      variants: [{ id: P.variant, inventoryItemId: P.item, stock: { [LOCATION]: 0 } }],
    });
  });
  await t.db.variantPolicy.create({ data: { shop: domain, variantId: String(P.variant), enabled: true } });
  await h.deliver([
    {
      topic: "products/update",
      payload: productPayload({
        id: P.product,
        title: "Kettle",
        updatedAt: AT,
        variants: [{ id: P.variant, inventoryItemId: P.item, policy: "continue" }],
      }),
    },
    {
      topic: "orders/create",
      payload: orderPayload({
        id: 6_300_001,
        createdAt: AT,
        lines: [{ id: 6_400_001, variantId: P.variant, productId: P.product, quantity: 2 }],
      }),
    },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(P.item, LOCATION, -2, "2026-11-25T10:00:01Z") },
  ]);
  expect(await h.sync()).toMatchObject({ failed: 0 });
  const pair = h.shop.issueExpiringToken();
  await t.db.session.update({
    where: { id: `offline_${domain}` },
    data: {
      accessToken: pair.accessToken,
      expires: new Date(pair.expiresAt),
      refreshToken: pair.refreshToken,
      refreshTokenExpires: new Date(pair.expiresAt + 90 * 86_400_000),
    },
  });
  expect(await t.db.backorderLine.count({ where: { shop: domain } })).toBe(1);
  return h;
}

/** The merchant changed the storefront message: a push is waiting when the webhook arrives. */
async function pendingPush(h: Harness, shop: string) {
  await t.db.variantPolicy.update({ where: { shop_variantId: { shop, variantId: String(P.variant) } }, data: { message: "Back soon" } });
  await t.db.$transaction((tx) => enqueueSync(tx, shop, { variantIds: [String(P.variant)] }, h.clock.date(), 0));
}

/** The worker's sync pass as in production: its gateways refresh expired tokens through the stand-in. */
const syncWithRefresh = (h: Harness) =>
  runPendingSync(
    t.db,
    createGatewayFactory(t.db, {
      origin: h.origin,
      sleep: h.clock.sleep,
      now: h.clock.now,
      refresh: offlineTokenRefresher(t.db, {
        credentials: () => ({ apiKey: TEST_API_KEY, apiSecret: TEST_SECRET }),
        origin: h.origin,
        now: h.clock.now,
      }),
    }),
    { now: h.clock.date },
  );

describe("a token that ran out an hour ago", () => {
  let h: Harness;
  const SHOP = "expired-kettles.myshopify.com";
  beforeAll(async () => {
    h = await installedShop(SHOP);
    h.clock.advance(2 * 60 * 60_000); // two hours later: the session's token expired an hour ago
    expect((await t.db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).expires!.getTime()).toBeLessThan(h.clock.now());
  });
  afterAll(() => h.close());

  it("app/uninstalled deletes the shop's sessions, without an Admin API call or a token refresh", async () => {
    const calls = h.standin.calls.length;
    h.shop.revokeTokens(); // Shopify revokes the app's tokens at the uninstall
    await pendingPush(h, SHOP);
    await h.deliver([{ topic: "app/uninstalled", payload: { id: 1, name: "Expired Kettles", domain: SHOP } }]);
    // The push waiting for the shop finds no session: it fails (kept for a reinstall), nothing is sent.
    expect(await syncWithRefresh(h)).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect(await t.db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect((await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).uninstalledAt).not.toBeNull();
    expect(await t.db.webhookInbox.findMany({ where: { shop: SHOP, topic: "app/uninstalled" }, select: { status: true } })).toEqual([
      { status: "done" },
    ]);
    expect(h.standin.calls.slice(calls)).toEqual([]);
    expect(h.standin.tokenRequests).toEqual([]);
  });

  it("shop/redact, 48 hours later, deletes every row of the shop, without an Admin API call", async () => {
    h.clock.advance(48 * 60 * 60_000);
    const calls = h.standin.calls.length;
    await h.deliver([{ topic: "shop/redact", payload: { shop_id: 1, shop_domain: SHOP } }]);
    await syncWithRefresh(h);
    const left = Object.entries(await shopRows(SHOP)).filter(([, n]) => n > 0);
    expect(left).toEqual([["WebhookInbox", 1]]); // the record of the redact itself
    expect(h.standin.calls.slice(calls)).toEqual([]);
    expect(h.standin.tokenRequests).toEqual([]);
  });
});

describe("a token Shopify revoked, its session still stored (the app/uninstalled delivery not yet applied)", () => {
  let h: Harness;
  const SHOP = "revoked-kettles.myshopify.com";
  beforeAll(async () => {
    h = await installedShop(SHOP);
    h.shop.revokeTokens(); // refused now, though the session says it is good for the hour
    h.shop.expireAccessToken();
  });
  afterAll(() => h.close());

  it("shop/redact deletes every row of the shop, sessions included, after a push whose token refresh Shopify refused", async () => {
    // The worker's sync ran first: Shopify refused the token and its refresh; the task failed.
    await pendingPush(h, SHOP);
    expect(await syncWithRefresh(h)).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect(h.standin.tokenRequests.map((r) => `${r.status} ${r.error}`)).toEqual(["400 invalid_grant"]);
    const before = await shopRows(SHOP);
    expect(before).toMatchObject({ Session: 1, BackorderLine: 1, Variant: 1, SyncedVariant: 1 });
    expect(await t.db.syncTask.count({ where: { shop: SHOP, status: "failed" } })).toBe(1);
    h.standin.tokenRequests.length = 0;
    const calls = h.standin.calls.length;
    await h.deliver([{ topic: "shop/redact", payload: { shop_id: 2, shop_domain: SHOP } }]);
    await syncWithRefresh(h);
    expect(Object.entries(await shopRows(SHOP)).filter(([, n]) => n > 0)).toEqual([["WebhookInbox", 1]]);
    expect(h.standin.calls.slice(calls)).toEqual([]);
    expect(h.standin.tokenRequests).toEqual([]);
  });

  it("app/uninstalled arriving after it is applied too, and leaves nothing to refresh", async () => {
    const calls = h.standin.calls.length;
    await h.deliver([{ topic: "app/uninstalled", payload: { id: 2, name: "Revoked Kettles", domain: SHOP } }]);
    await syncWithRefresh(h);
    expect(await t.db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(
      await t.db.webhookInbox.findMany({ where: { shop: SHOP }, select: { topic: true, status: true }, orderBy: { id: "asc" } }),
    ).toEqual([
      { topic: "shop/redact", status: "done" },
      { topic: "app/uninstalled", status: "done" },
    ]);
    expect(h.standin.calls.slice(calls)).toEqual([]);
    expect(h.standin.tokenRequests).toEqual([]);
  });
});
