// The stand-in answers like Shopify: token required, validation errors as HTTP 200 with
// `errors`, query cost in extensions, THROTTLED when the bucket is empty, the app's
// reserved metafield namespace, and failures injected on request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStandin, STANDIN_APP_ID } from "../../dev/admin-standin/server.ts";
import { DEMO_IDS, DEMO_SHOP, seedDemoShop } from "../../dev/admin-standin/seed.ts";
import type { StandinShop } from "../../dev/admin-standin/state.ts";
import { CATALOG_VARIANTS, COLLECTION_PRODUCTS, SET_METAFIELDS } from "../../app/shopify/admin-queries.ts";
import { AdminApiError, AdminUserErrors } from "../../app/shopify/admin-errors.ts";
import { AdminGateway } from "../../app/shopify/admin-operations.server.ts";

let t = 1_000_000;
const clock = () => t;
let standin: AdminStandin;
let shop: StandinShop;
let origin: string;
const url = () => `${origin}/admin/api/2026-10/graphql.json`;

async function post(body: unknown, token: string | null = shop.accessToken) {
  const res = await fetch(url(), {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { "X-Shopify-Access-Token": token } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    json: (await res.json()) as { data?: Record<string, unknown>; errors?: unknown; extensions?: { cost: Record<string, unknown> } },
  };
}

beforeAll(async () => {
  standin = new AdminStandin({ clock });
  shop = seedDemoShop(standin);
  standin.addShop({ domain: "other-shop.myshopify.com" });
  origin = await standin.listen();
});
afterAll(() => standin.close());

describe("the Admin API stand-in", () => {
  it("requires a valid access token, and a token only opens its own shop", async () => {
    expect((await post({ query: "{ shop { name } }" }, null)).status).toBe(401);
    expect((await post({ query: "{ shop { name } }" }, "shpat_wrong")).status).toBe(401);
    const other = standin.shop("other-shop.myshopify.com");
    const res = await post({ query: "{ shop { myshopifyDomain } }" }, other.accessToken);
    expect(res.json.data).toEqual({ shop: { myshopifyDomain: "other-shop.myshopify.com" } });
    const wrongPath = await fetch(`${origin}/shops/${DEMO_SHOP}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Shopify-Access-Token": other.accessToken },
      body: JSON.stringify({ query: "{ shop { name } }" }),
    });
    expect(wrongPath.status).toBe(401);
  });

  it("answers a query Shopify would reject with HTTP 200 and errors, and runs nothing", async () => {
    const before = shop.variants.get(`gid://shopify/ProductVariant/${DEMO_IDS.variants.shirtS}`)!.inventoryPolicy;
    const res = await post({
      query: `mutation { productVariantsBulkUpdate(productId: "gid://shopify/Product/${DEMO_IDS.products.shirt}", variants: [{ id: "gid://shopify/ProductVariant/${DEMO_IDS.variants.shirtS}", inventoryPolicy: CONTINUE, backorderLimit: 3 }]) { userErrors { message } } }`,
    });
    expect(res.status).toBe(200);
    expect(res.json.data).toBeUndefined();
    expect(res.json.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('Field "backorderLimit" is not defined by type "ProductVariantsBulkInput"'),
      }),
    ]);
    expect(shop.variants.get(`gid://shopify/ProductVariant/${DEMO_IDS.variants.shirtS}`)!.inventoryPolicy).toBe(before);
  });

  it("the gateway raises a schema rejection as a permanent error, without retrying", async () => {
    const gw = new AdminGateway({ shop: DEMO_SHOP, accessToken: async () => shop.accessToken, origin, sleep: async () => {}, now: clock });
    const from = standin.calls.length;
    const err = await gw.send(`query Bad { shop { backorderSettings } }`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminApiError);
    expect(err).toMatchObject({
      permanent: true,
      operation: "Bad",
      message: expect.stringContaining('Cannot query field "backorderSettings" on type "Shop"'),
    });
    expect(standin.calls.length - from).toBe(1);
  });

  it("reports requested and actual cost, and Shopify's bucket", async () => {
    const res = await post({ query: CATALOG_VARIANTS, variables: { after: null }, operationName: "CatalogVariants" });
    const nodes = (res.json.data!.productVariants as { nodes: unknown[] }).nodes;
    expect(nodes).toHaveLength(6);
    // Requested: 2 + 25 × (variant 1 + product 1 + item 1 + levels (2 + 10 × (level 1 + location 1 + quantities 1))) = 877.
    // Actual counts what came back: 2 + Σ over 6 variants (1 + 1 + 1 + 2 + levels × 3).
    const levels = [2, 1, 1, 1, 2, 1]; // per seeded variant
    const actual = 2 + levels.reduce((s, n) => s + 5 + 3 * n, 0);
    expect(res.json.extensions!.cost).toEqual({
      requestedQueryCost: 877,
      actualQueryCost: actual,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: expect.any(Number), restoreRate: 100 },
    });
  });

  it("throttles when the bucket cannot pay the requested cost, and restores 100 points a second", async () => {
    standin.bucket(DEMO_SHOP).set(5);
    const mutation = { query: SET_METAFIELDS, variables: { metafields: [] } };
    const throttled = await post(mutation);
    expect(throttled.status).toBe(200);
    expect(throttled.json.errors).toEqual([
      { message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } },
    ]);
    expect(throttled.json.extensions!.cost).toMatchObject({
      requestedQueryCost: 10,
      actualQueryCost: null,
      throttleStatus: { currentlyAvailable: 5 },
    });
    t += 50; // 5 points restored
    const ok = await post(mutation);
    expect(ok.json.errors).toBeUndefined();
    expect(ok.json.extensions!.cost).toMatchObject({
      requestedQueryCost: 10,
      actualQueryCost: 10,
      throttleStatus: { currentlyAvailable: 0 },
    });
    standin.bucket(DEMO_SHOP).set(2000);
  });

  it("refuses a query above the 1000-point single-query limit", async () => {
    const res = await post({ query: `{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }` });
    expect(res.json.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "MAX_COST_EXCEEDED" }) })]);
  });

  it("stores $app metafields in the app's reserved namespace and reads them back through it", async () => {
    const gw = new AdminGateway({ shop: DEMO_SHOP, accessToken: async () => shop.accessToken, origin, now: clock });
    const owner = `gid://shopify/ProductVariant/${DEMO_IDS.variants.shirtL}`;
    await gw.setMetafields([
      { ownerId: owner, namespace: "$app", key: "backorder_status", type: "json", value: '{"v":1,"state":"sold_out"}' },
    ]);
    expect(shop.metafield(owner, `app--${STANDIN_APP_ID}`, "backorder_status")!.value).toBe('{"v":1,"state":"sold_out"}');
    const { data } = await gw.send<{ productVariant: { metafield: { namespace: string; jsonValue: unknown } } }>(
      `query Read($id: ID!) { productVariant(id: $id) { metafield(namespace: "$app", key: "backorder_status") { namespace jsonValue } } }`,
      { id: owner },
    );
    expect(data.productVariant.metafield).toEqual({ namespace: `app--${STANDIN_APP_ID}`, jsonValue: { v: 1, state: "sold_out" } });
    const storefront = standin.storefront(DEMO_SHOP);
    expect(storefront.find((p) => p.title === "Linen Shirt")!.variants.find((v) => v.title === "L")).toMatchObject({
      available: 0,
      availableForSale: false,
      backorderStatus: { state: "sold_out" },
    });
  });

  it("refuses invalid metafields all or nothing, as userErrors", async () => {
    const gw = new AdminGateway({ shop: DEMO_SHOP, accessToken: async () => shop.accessToken, origin, now: clock });
    const good = {
      ownerId: `gid://shopify/ProductVariant/${DEMO_IDS.variants.beanieOat}`,
      namespace: "$app",
      key: "backorder_status",
      type: "json",
      value: "{}",
    };
    const bad = { ...good, ownerId: "gid://shopify/ProductVariant/1", value: "not json" };
    const err = await gw.setMetafields([good, bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminUserErrors);
    expect((err as AdminUserErrors).userErrors.map((u) => u.field)).toEqual([
      ["metafields", "1", "ownerId"],
      ["metafields", "1", "value"],
    ]);
    expect(shop.metafield(good.ownerId, `app--${STANDIN_APP_ID}`, "backorder_status")).toBeUndefined();
  });

  it("holds metafieldsSet to the type of the definition declared in shopify.app.toml", async () => {
    const gw = new AdminGateway({ shop: DEMO_SHOP, accessToken: async () => shop.accessToken, origin, now: clock });
    const ownerId = `gid://shopify/ProductVariant/${DEMO_IDS.variants.beanieOat}`;
    const wrongType = { ownerId, namespace: "$app", key: "backorder_status", type: "single_line_text_field", value: "backorder" };
    const err = await gw.setMetafields([wrongType]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminUserErrors);
    expect((err as AdminUserErrors).userErrors).toEqual([
      expect.objectContaining({ field: ["metafields", "0", "type"], code: "INVALID_TYPE" }),
    ]);
    // Without a type, the definition supplies it (and its JSON validation applies).
    const untyped = await post({
      query: SET_METAFIELDS,
      variables: { metafields: [{ ownerId, namespace: "$app", key: "backorder_status", value: '{"v":1}' }] },
    });
    expect(untyped.json.errors).toBeUndefined();
    expect(shop.metafield(ownerId, `app--${STANDIN_APP_ID}`, "backorder_status")).toMatchObject({ type: "json", value: '{"v":1}' });
    // The same key on another owner type has no definition: any type goes.
    const productId = shop.variants.get(ownerId)!.productId;
    await gw.setMetafields([{ ...wrongType, ownerId: productId }]);
    expect(shop.metafield(productId, `app--${STANDIN_APP_ID}`, "backorder_status")).toMatchObject({ type: "single_line_text_field" });
  });

  it("keeps a log of every call with its operation and variables", async () => {
    const from = standin.calls.length;
    await post({ query: `query Named($id: ID!) { order(id: $id) { id } }`, variables: { id: "gid://shopify/Order/1" } });
    expect(standin.calls.slice(from)).toEqual([
      expect.objectContaining({
        shop: DEMO_SHOP,
        operationName: "Named",
        operation: "query",
        variables: { id: "gid://shopify/Order/1" },
        status: 200,
        errors: [],
      }),
    ]);
  });

  it("pages a collection's products, and answers null for a collection it does not have", async () => {
    const winter = `gid://shopify/Collection/${DEMO_IDS.collections.winter}`;
    const res = await post({ query: COLLECTION_PRODUCTS, variables: { id: winter, after: null }, operationName: "CollectionProducts" });
    expect(res.json.data).toEqual({
      collection: {
        id: winter,
        products: {
          pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
          nodes: [{ id: `gid://shopify/Product/${DEMO_IDS.products.beanie}` }],
        },
      },
    });
    // Requested: collection 1 + products (2 + 250 × 1); actual: 1 product came back.
    expect(res.json.extensions!.cost).toMatchObject({ requestedQueryCost: 253, actualQueryCost: 4 });
    const page = await post({
      query: `query { collection(id: "${winter}") { products(first: 1, after: "${(res.json.data!.collection as { products: { pageInfo: { endCursor: string } } }).products.pageInfo.endCursor}") { nodes { id } pageInfo { hasNextPage } } } }`,
    });
    expect(page.json.data).toEqual({ collection: { products: { nodes: [], pageInfo: { hasNextPage: false } } } });
    const missing = await post({ query: COLLECTION_PRODUCTS, variables: { id: "gid://shopify/Collection/1", after: null } });
    expect(missing.json).toMatchObject({ data: { collection: null } });
  });

  it("refuses a shop's old token after a rotation (as Shopify does once a token expires), and logs the refusal", async () => {
    const other = standin.shop("other-shop.myshopify.com");
    const old = other.accessToken;
    const fresh = other.rotateAccessToken();
    const from = standin.calls.length;
    expect((await post({ query: "query Who { shop { name } }" }, old)).status).toBe(401);
    expect((await post({ query: "query Who { shop { name } }" }, fresh)).status).toBe(200);
    expect(standin.calls.slice(from).map((c) => [c.operationName, c.status])).toEqual([
      ["Who", 401],
      ["Who", 200],
    ]);
  });

  it("injects failures for the next calls", async () => {
    standin.failNext(1, { kind: "http", status: 502 });
    expect((await post({ query: "{ shop { name } }" })).status).toBe(502);
    expect((await post({ query: "{ shop { name } }" })).status).toBe(200);
  });
});
