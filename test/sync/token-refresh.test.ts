// Expiring offline tokens: Shopify refuses a token that ran out with HTTP 401, and replaces
// the refresh token on every use. The gateway refreshes through the stand-in's token endpoint
// (offlineTokenRefresher, as in production), a few minutes before the session says the token
// expires or when Shopify refuses it, sends again and keeps the new token; the new pair is
// stored in the session. A refresh that fails is a clear error kept on the task; nothing
// else is lost. Processes sharing a shop refresh one at a time: token-refresh-processes.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { TEST_API_KEY, TEST_SECRET } from "../support/webhooks.ts";
import { createHarness, type Harness } from "./harness.ts";
import { productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { enqueueSync } from "../../app/sync/tasks.server.ts";
import { retryFailedSyncTasks, runPendingSync, syncBackoffMs } from "../../app/sync/runner.server.ts";
import { createGatewayFactory, type GatewayFactory } from "../../app/shopify/gateway.server.ts";
import { offlineTokenRefresher } from "../../app/shopify/offline-token.server.ts";

const SHOP = "midnight-tea.myshopify.com";
const LOCATION = 55001;
const A = { product: 5100, variant: 51001, item: 51501 };
const B = { product: 5200, variant: 52001, item: 52501 };
const BEFORE = "2026-11-20T09:00:00Z";
const SESSION = { id: `offline_${SHOP}` };

let t: TestDatabase;
let h: Harness;
let gateways: GatewayFactory;
let tokenRequestsBefore = 0;

const ops = (from: number) => h.standin.calls.slice(from).map((c) => `${c.operationName}${c.status !== 200 ? ` ${c.status}` : ""}`);
/** Token endpoint requests since the test began, as "200" / "400 invalid_grant". */
const tokenRequests = () =>
  h.standin.tokenRequests.slice(tokenRequestsBefore).map((r) => `${r.status}${r.error && r.status !== 502 ? ` ${r.error}` : ""}`);
const session = () => t.db.session.findUniqueOrThrow({ where: SESSION });
const taskOf = (x: { variant: number }) =>
  t.db.syncTask.findUniqueOrThrow({ where: { shop_kind_targetId: { shop: SHOP, kind: "variant", targetId: String(x.variant) } } });
const run = (g: GatewayFactory = gateways) => runPendingSync(t.db, g, { now: h.clock.date });
/** A new storefront message: the variant's metafield must be pushed again. */
async function change(x: { variant: number }, message: string) {
  await t.db.variantPolicy.update({ where: { shop_variantId: { shop: SHOP, variantId: String(x.variant) } }, data: { message } });
  await t.db.$transaction((tx) => enqueueSync(tx, SHOP, { variantIds: [String(x.variant)] }, h.clock.date()));
}
const shopifyMessage = (x: { variant: number }) => {
  const m = [...h.shop.metafields.values()].find((f) => f.ownerId === `gid://shopify/ProductVariant/${x.variant}`);
  return m ? (JSON.parse(m.value) as { message: string | null }).message : undefined;
};
/** What the app stores on install (or when the merchant opens it): Shopify's expiring pair. */
async function installExpiringToken() {
  const pair = h.shop.issueExpiringToken();
  await t.db.session.update({
    where: SESSION,
    data: {
      accessToken: pair.accessToken,
      expires: new Date(pair.expiresAt),
      refreshToken: pair.refreshToken,
      refreshTokenExpires: new Date(pair.expiresAt + 90 * 86_400_000),
    },
  });
  return pair;
}
const factory = (holder: string) =>
  createGatewayFactory(t.db, {
    origin: h.origin,
    sleep: h.clock.sleep,
    now: h.clock.now,
    refresh: offlineTokenRefresher(t.db, {
      credentials: () => ({ apiKey: TEST_API_KEY, apiSecret: TEST_SECRET }),
      origin: h.origin,
      now: h.clock.now,
      holder,
      pollMs: 10,
    }),
  });

beforeAll(async () => {
  t = await createTestDatabase("sync_token_refresh");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    for (const x of [A, B])
      shop.addProduct({
        id: x.product,
        title: `Tea ${x.product}`,
        updatedAt: BEFORE,
        variants: [{ id: x.variant, inventoryItemId: x.item, stock: { [LOCATION]: 3 } }],
      });
  });
  await t.db.variantPolicy.createMany({ data: [A, B].map((x) => ({ shop: SHOP, variantId: String(x.variant), enabled: true })) });
  await h.deliver(
    [A, B].map((x) => ({
      topic: "products/update",
      payload: productPayload({
        id: x.product,
        title: `Tea ${x.product}`,
        updatedAt: BEFORE,
        variants: [{ id: x.variant, inventoryItemId: x.item, policy: "deny" }],
      }),
    })),
  );
  gateways = factory("this-process");
});
afterAll(async () => {
  await h.close();
  await t.drop();
});
beforeEach(async () => {
  tokenRequestsBefore = h.standin.tokenRequests.length;
  await installExpiringToken();
});

describe("an expiring offline token", () => {
  it("refused by Shopify is refreshed once; the request is sent again, the rest of the run uses the new token, the new pair is stored", async () => {
    const before = await session();
    h.shop.expireAccessToken(); // ran out earlier than the session says (a clock skew): Shopify answers 401
    await t.db.$transaction((tx) => enqueueSync(tx, SHOP, { variantIds: [String(A.variant), String(B.variant)] }, h.clock.date()));
    const from = h.standin.calls.length;
    expect(await run()).toEqual({ done: 2, retrying: 0, failed: 0 });
    expect(ops(from)).toEqual(["UpdateVariantPolicies 401", "UpdateVariantPolicies", "UpdateVariantPolicies", "SetMetafields"]);
    expect(tokenRequests()).toEqual(["200"]);
    expect(h.clock.sleeps).toEqual([]); // a 401 is not waited out like an outage
    const after = await session();
    expect(after.accessToken).toBe(h.shop.accessToken);
    expect(after.refreshToken).toBe(h.shop.refreshToken); // the rotated refresh token, for the next time
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expires!.getTime()).toBe(h.shop.accessTokenExpiresAt);
    expect(after.scope!.split(",").sort()).toEqual([...h.shop.grantedScopes].sort());
    for (const x of [A, B]) expect(h.shop.variants.get(`gid://shopify/ProductVariant/${x.variant}`)!.inventoryPolicy).toBe("CONTINUE");

    // The next run reads the stored token: no 401, no refresh.
    await change(A, "Steeping again soon");
    const next = h.standin.calls.length;
    expect(await run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(ops(next)).toEqual(["SetMetafields"]);
    expect(tokenRequests()).toEqual(["200"]); // still the one above
  });

  it("is refreshed before sending when the session says it expires within five minutes", async () => {
    h.shop.accessTokenExpiresAt = h.clock.now() + 4 * 60_000;
    await t.db.session.update({ where: SESSION, data: { expires: new Date(h.shop.accessTokenExpiresAt) } });
    await change(A, "Back next week");
    const from = h.standin.calls.length;
    expect(await run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(ops(from)).toEqual(["SetMetafields"]);
    expect(tokenRequests()).toEqual(["200"]);
    expect((await session()).accessToken).toBe(h.shop.accessToken);
    expect(shopifyMessage(A)).toBe("Back next week");
  });

  it("is refreshed once when two runners with their own refreshers find it expired at the same time", async () => {
    h.shop.expireAccessToken();
    await t.db.session.update({ where: SESSION, data: { expires: new Date(h.clock.now() - 1000) } });
    const other = factory("another-process");
    const [a, b] = await Promise.all([gateways(SHOP).shopFacts(), other(SHOP).shopFacts()]);
    expect(a).toEqual(b);
    expect(tokenRequests()).toEqual(["200"]);
    expect((await session()).accessToken).toBe(h.shop.accessToken);
  });

  it("takes over the lease of a process that died while refreshing once it runs out", async () => {
    h.shop.expireAccessToken();
    await t.db.session.update({ where: SESSION, data: { expires: new Date(h.clock.now() - 1000) } });
    // A lease left by a crashed holder, running out shortly (the wall clock: leases span processes).
    await t.db.tokenRefreshLease.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP, holder: "crashed", lockedUntil: new Date(Date.now() + 300) },
      update: { holder: "crashed", lockedUntil: new Date(Date.now() + 300) },
    });
    await gateways(SHOP).shopFacts();
    expect(tokenRequests()).toEqual(["200"]);
    expect(await t.db.tokenRefreshLease.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      holder: null,
      lockedUntil: new Date(0),
    });
  });

  it("whose refresh token Shopify refuses fails the task with a clear error, loses nothing, and finishes on the merchant's retry", async () => {
    const before = await t.db.syncedVariant.findUniqueOrThrow({ where: { shop_variantId: { shop: SHOP, variantId: String(B.variant) } } });
    const stale = await session();
    h.shop.revokeTokens();
    await change(B, "New harvest in April");
    const from = h.standin.calls.length;
    expect(await run()).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect(ops(from)).toEqual(["SetMetafields 401"]);
    expect(tokenRequests()).toEqual(["400 invalid_grant"]);
    const task = await taskOf(B);
    expect(task.status).toBe("failed");
    expect(task.lastError).toBe(
      `SetMetafields: could not refresh the offline access token of ${SHOP}: token refresh answered HTTP 400 invalid_grant (The refresh token is invalid, expired, revoked or already used.). Open the app in the Shopify admin to authorize it again, then retry.`,
    );
    // Nothing lost: the merchant's setting, what Shopify was last told, the session.
    expect(
      await t.db.variantPolicy.findUniqueOrThrow({ where: { shop_variantId: { shop: SHOP, variantId: String(B.variant) } } }),
    ).toMatchObject({ enabled: true, message: "New harvest in April" });
    expect(await t.db.syncedVariant.findUniqueOrThrow({ where: { shop_variantId: { shop: SHOP, variantId: String(B.variant) } } })).toEqual(
      before,
    );
    expect(await session()).toEqual(stale);
    expect(shopifyMessage(B)).toBeNull();

    // The merchant opens the app (a token exchange stores a new pair) and retries.
    await installExpiringToken();
    expect(await retryFailedSyncTasks(t.db, SHOP, undefined, h.clock.date())).toBe(1);
    expect(await run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(shopifyMessage(B)).toBe("New harvest in April");
    expect(await taskOf(B)).toMatchObject({ status: "done", lastError: null });
  });

  it("is refreshed on a later try when Shopify's token endpoint failed (5xx)", async () => {
    h.shop.expireAccessToken();
    h.standin.failNextTokenRequests(1);
    await change(A, "Back after the holidays");
    expect(await run()).toEqual({ done: 0, retrying: 1, failed: 0 });
    expect(await taskOf(A)).toMatchObject({
      status: "pending",
      lastError: `attempt 1: SetMetafields: could not refresh the offline access token of ${SHOP}: token refresh answered HTTP 502 {"errors":"Bad Gateway"}`,
    });
    h.clock.advance(syncBackoffMs(1));
    expect(await run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(tokenRequests()).toEqual(["502", "200"]);
    expect(shopifyMessage(A)).toBe("Back after the holidays");
  });

  it("refused while the session holds a non-expiring token (no refresh token): the task fails asking to open the app, nothing is sent to the token endpoint", async () => {
    h.shop.rotateAccessToken();
    await t.db.session.update({ where: SESSION, data: { expires: null, refreshToken: null, refreshTokenExpires: null } });
    await change(A, "Tea time");
    expect(await run()).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect((await taskOf(A)).lastError).toBe(
      `SetMetafields: could not refresh the offline access token of ${SHOP}: the offline session has no refresh token to get another access token with. Open the app in the Shopify admin to authorize it again, then retry.`,
    );
    expect(tokenRequests()).toEqual([]);
  });

  it("fails the task plainly when the app cannot refresh at all", async () => {
    h.shop.expireAccessToken();
    await change(A, "One more time");
    expect(await run(h.gateways)).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect((await taskOf(A)).lastError).toMatch(
      /^SetMetafields: Shopify refused the access token \(HTTP 401 .*Invalid API key or access token.*\)\. Open the app in the Shopify admin/,
    );
    expect(tokenRequests()).toEqual([]);
  });
});
