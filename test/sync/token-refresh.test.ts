// Expiring offline tokens: Shopify refuses a token that ran out with HTTP 401. The gateway
// then asks the app for a fresh one once (shopify-app-remix's unauthenticated.admin in
// production, which stores it in the session), sends again and keeps the new token. A
// refresh that fails is a clear error kept on the task; nothing else is lost.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { enqueueSync } from "../../app/sync/tasks.server.ts";
import { retryFailedSyncTasks, runPendingSync, syncBackoffMs } from "../../app/sync/runner.server.ts";
import { AdminApiError, createGatewayFactory, type GatewayFactory } from "../../app/shopify/gateway.server.ts";

const SHOP = "midnight-tea.myshopify.com";
const LOCATION = 55001;
const A = { product: 5100, variant: 51001, item: 51501 };
const B = { product: 5200, variant: 52001, item: 52501 };
const BEFORE = "2026-11-20T09:00:00Z";
const SESSION = { id: `offline_${SHOP}` };

let t: TestDatabase;
let h: Harness;
let gateways: GatewayFactory;
let refreshes = 0;
let refreshError: unknown = null;

const ops = (from: number) => h.standin.calls.slice(from).map((c) => `${c.operationName}${c.status !== 200 ? ` ${c.status}` : ""}`);
const taskOf = (x: { variant: number }) => t.db.syncTask.findUniqueOrThrow({ where: { shop_kind_targetId: { shop: SHOP, kind: "variant", targetId: String(x.variant) } } });
const run = () => runPendingSync(t.db, gateways, { now: h.clock.date });
/** A new storefront message: the variant's metafield must be pushed again. */
async function change(x: { variant: number }, message: string) {
  await t.db.variantPolicy.update({ where: { shop_variantId: { shop: SHOP, variantId: String(x.variant) } }, data: { message } });
  await t.db.$transaction((tx) => enqueueSync(tx, SHOP, { variantIds: [String(x.variant)] }, h.clock.date()));
}
const shopifyMessage = (x: { variant: number }) => {
  const m = [...h.shop.metafields.values()].find((f) => f.ownerId === `gid://shopify/ProductVariant/${x.variant}`);
  return m ? (JSON.parse(m.value) as { message: string | null }).message : undefined;
};

beforeAll(async () => {
  t = await createTestDatabase("sync_token_refresh");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    for (const x of [A, B]) shop.addProduct({ id: x.product, title: `Tea ${x.product}`, updatedAt: BEFORE, variants: [{ id: x.variant, inventoryItemId: x.item, stock: { [LOCATION]: 3 } }] });
  });
  await t.db.variantPolicy.createMany({ data: [A, B].map((x) => ({ shop: SHOP, variantId: String(x.variant), enabled: true })) });
  await h.deliver(
    [A, B].map((x) => ({ topic: "products/update", payload: productPayload({ id: x.product, title: `Tea ${x.product}`, updatedAt: BEFORE, variants: [{ id: x.variant, inventoryItemId: x.item, policy: "deny" }] }) })),
  );
  // What shopify-app-remix does on a refresh: Shopify's new token, stored in the offline session.
  gateways = createGatewayFactory(t.db, {
    origin: h.origin,
    sleep: h.clock.sleep,
    now: h.clock.now,
    refresh: async (shop) => {
      refreshes++;
      if (refreshError) throw refreshError;
      const accessToken = h.standin.shop(shop).accessToken;
      await t.db.session.update({ where: SESSION, data: { accessToken, expires: new Date(h.clock.now() + 3_600_000) } });
      return accessToken;
    },
  });
});
afterAll(async () => {
  await h.close();
  await t.drop();
});
beforeEach(() => {
  refreshes = 0;
  refreshError = null;
});

describe("an offline token Shopify refuses", () => {
  it("is refreshed once; the request is sent again and the rest of the run uses the new token", async () => {
    const stale = (await t.db.session.findUniqueOrThrow({ where: SESSION })).accessToken;
    const fresh = h.shop.rotateAccessToken(); // the stored token ran out: Shopify answers 401 to it
    await t.db.$transaction((tx) => enqueueSync(tx, SHOP, { variantIds: [String(A.variant), String(B.variant)] }, h.clock.date()));
    const from = h.standin.calls.length;
    expect(await run()).toEqual({ done: 2, retrying: 0, failed: 0 });
    expect(ops(from)).toEqual(["UpdateVariantPolicies 401", "UpdateVariantPolicies", "UpdateVariantPolicies", "SetMetafields"]);
    expect(refreshes).toBe(1);
    expect(h.clock.sleeps).toEqual([]); // a 401 is not waited out like an outage
    expect((await t.db.session.findUniqueOrThrow({ where: SESSION })).accessToken).toBe(fresh);
    expect(fresh).not.toBe(stale);
    for (const x of [A, B]) expect(h.shop.variants.get(`gid://shopify/ProductVariant/${x.variant}`)!.inventoryPolicy).toBe("CONTINUE");

    // The next run reads the stored token: no 401, no refresh.
    await change(A, "Steeping again soon");
    const next = h.standin.calls.length;
    expect(await run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(ops(next)).toEqual(["SetMetafields"]);
    expect(refreshes).toBe(1); // still the one above
  });

  it("is refreshed before sending when the session says it is about to expire", async () => {
    h.shop.rotateAccessToken();
    await t.db.session.update({ where: SESSION, data: { expires: new Date(h.clock.now() + 30_000) } });
    await change(A, "Back next week");
    const from = h.standin.calls.length;
    expect(await run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(ops(from)).toEqual(["SetMetafields"]);
    expect(refreshes).toBe(1);
    expect(shopifyMessage(A)).toBe("Back next week");
  });

  it("keeps a failed refresh on the task with a clear error, loses nothing, and finishes on the merchant's retry", async () => {
    const before = await t.db.syncedVariant.findUniqueOrThrow({ where: { shop_variantId: { shop: SHOP, variantId: String(B.variant) } } });
    const stale = (await t.db.session.findUniqueOrThrow({ where: SESSION })).accessToken;
    h.shop.rotateAccessToken();
    refreshError = new Error("invalid_subject_token: the refresh token was revoked");
    await change(B, "New harvest in April");
    const from = h.standin.calls.length;
    expect(await run()).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect(ops(from)).toEqual(["SetMetafields 401"]);
    expect(refreshes).toBe(1);
    const task = await taskOf(B);
    expect(task.status).toBe("failed");
    expect(task.lastError).toBe(
      `SetMetafields: could not refresh the offline access token of ${SHOP}: invalid_subject_token: the refresh token was revoked. Open the app in the Shopify admin to authorize it again, then retry.`,
    );
    // Nothing lost: the merchant's setting, what Shopify was last told, the session.
    expect(await t.db.variantPolicy.findUniqueOrThrow({ where: { shop_variantId: { shop: SHOP, variantId: String(B.variant) } } })).toMatchObject({ enabled: true, message: "New harvest in April" });
    expect(await t.db.syncedVariant.findUniqueOrThrow({ where: { shop_variantId: { shop: SHOP, variantId: String(B.variant) } } })).toEqual(before);
    expect((await t.db.session.findUniqueOrThrow({ where: SESSION })).accessToken).toBe(stale);
    expect(shopifyMessage(B)).toBeNull();

    // The merchant reauthorizes (the refresh works again) and retries.
    refreshError = null;
    expect(await retryFailedSyncTasks(t.db, SHOP, undefined, h.clock.date())).toBe(1);
    expect(await run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(shopifyMessage(B)).toBe("New harvest in April");
    expect(await taskOf(B)).toMatchObject({ status: "done", lastError: null });
  });

  it("retries later when the refresh failed for a reason that may pass", async () => {
    h.shop.rotateAccessToken();
    refreshError = new AdminApiError("token refresh answered HTTP 500 Internal Server Error", false, "auth");
    await change(A, "Back after the holidays");
    expect(await run()).toEqual({ done: 0, retrying: 1, failed: 0 });
    expect(await taskOf(A)).toMatchObject({
      status: "pending",
      lastError: `attempt 1: SetMetafields: could not refresh the offline access token of ${SHOP}: token refresh answered HTTP 500 Internal Server Error`,
    });
    refreshError = null;
    h.clock.advance(syncBackoffMs(1));
    expect(await run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(shopifyMessage(A)).toBe("Back after the holidays");
  });

  it("fails the task plainly when the app cannot refresh at all", async () => {
    h.shop.rotateAccessToken();
    await change(A, "One more time");
    expect(await runPendingSync(t.db, h.gateways, { now: h.clock.date })).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect((await taskOf(A)).lastError).toMatch(/^SetMetafields: Shopify refused the access token \(HTTP 401 .*Invalid API key or access token.*\)\. Open the app in the Shopify admin/);
  });
});
