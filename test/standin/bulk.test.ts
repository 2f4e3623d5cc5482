// Bulk query operations in the stand-in, as Shopify documents them: the query checked against
// the schema and the bulk rules, CREATED -> RUNNING -> COMPLETED, a JSONL result served over
// HTTP (one object per line, connection nodes on their own lines with __parentId, after
// their parent), the app's scopes enforced (ACCESS_DENIED), at most five at once per shop,
// FAILED with an error code and partial data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStandin } from "../../dev/admin-standin/server.ts";
import { DEMO_IDS, seedDemoShop } from "../../dev/admin-standin/seed.ts";
import { BULK_OPERATION, CATALOG_BULK_VARIANTS, RUN_BULK_QUERY } from "../../app/shopify/admin-queries.ts";
import { ADMIN_API_VERSION } from "../../dev/admin-standin/schema.ts";
import { MAX_CONCURRENT_BULK_QUERIES } from "../../dev/admin-standin/bulk.ts";
import { DEFAULT_SCOPES } from "../../app/config.server.ts";

const standin = new AdminStandin();
const shop = seedDemoShop(standin, "bulk.myshopify.com", "shpat_bulk");
const narrow = seedDemoShop(standin, "bulk-narrow.myshopify.com", "shpat_bulk_narrow");
narrow.grantedScopes = new Set(DEFAULT_SCOPES.filter((s) => s !== "read_inventory"));
let origin: string;

beforeAll(async () => {
  origin = await standin.listen();
});
afterAll(() => standin.close());

type Json = Record<string, unknown>;
interface BulkView {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string;
  url: string | null;
  partialDataUrl: string | null;
}

async function post(token: string, query: string, variables: Json = {}) {
  const res = await fetch(`${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Json | null; errors?: { message: string }[] };
}

async function runBulk(query: string, token = shop.accessToken, groupObjects = false) {
  const doc = groupObjects ? RUN_BULK_QUERY.replace("groupObjects: false", "groupObjects: true") : RUN_BULK_QUERY;
  const res = await post(token, doc, { query });
  expect(res.errors).toBeUndefined();
  return res.data!.bulkOperationRunQuery as {
    bulkOperation: { id: string; status: string } | null;
    userErrors: { field: string[] | null; message: string; code: string }[];
  };
}

const status = async (id: string, token = shop.accessToken) => (await post(token, BULK_OPERATION, { id })).data!.bulkOperation as BulkView;

async function finished(id: string, token = shop.accessToken): Promise<BulkView> {
  for (;;) {
    const op = await status(id, token);
    if (!["CREATED", "RUNNING"].includes(op.status)) return op;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const lines = async (url: string) =>
  (await (await fetch(url)).text())
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Json);

describe("bulk query operations in the stand-in", () => {
  it("runs the app's catalog query: CREATED, RUNNING, then COMPLETED with its JSONL at a URL", async () => {
    standin.bulk.pause();
    const { bulkOperation, userErrors } = await runBulk(CATALOG_BULK_VARIANTS);
    expect(userErrors).toEqual([]);
    expect(bulkOperation!.status).toBe("CREATED");
    expect(await status(bulkOperation!.id)).toMatchObject({ status: "RUNNING", url: null });
    standin.bulk.resume();
    const op = await finished(bulkOperation!.id);
    expect(op).toMatchObject({ status: "COMPLETED", errorCode: null, partialDataUrl: null });
    expect(op.url).toMatch(new RegExp(`^${origin}/bulk-results/[0-9a-f]+\\.jsonl$`));

    const objects = await lines(op.url!);
    expect(String(objects.length)).toBe(op.objectCount);
    const variants = objects.filter((o) => String(o.id).startsWith("gid://shopify/ProductVariant/"));
    const levels = objects.filter((o) => String(o.id).startsWith("gid://shopify/InventoryLevel/"));
    // Six variants, eight levels (the seed's stock), nothing else; no connection left inside an object.
    expect(variants).toHaveLength(6);
    expect(levels).toHaveLength(8);
    expect(objects).toHaveLength(14);
    expect(variants[0]).toEqual({
      id: `gid://shopify/ProductVariant/${DEMO_IDS.variants.shirtS}`,
      title: "S",
      sku: "LIN-S",
      price: "68.00",
      inventoryPolicy: "DENY",
      product: {
        id: `gid://shopify/Product/${DEMO_IDS.products.shirt}`,
        title: "Linen Shirt",
        tags: ["summer", "backorder-ok"],
        updatedAt: expect.any(String),
      },
      inventoryItem: { id: `gid://shopify/InventoryItem/${DEMO_IDS.items.shirtS}` },
    });
    // Each level names its variant as parent, on a later line; ungrouped, not always the next one.
    const position = new Map(objects.map((o, i) => [o.id, i]));
    for (const [i, l] of objects.entries()) {
      if (!levels.includes(l)) continue;
      expect(position.get(l.__parentId)).toBeLessThan(i);
      expect(l).toMatchObject({
        location: { id: expect.stringMatching(/^gid:\/\/shopify\/Location\//) },
        item: { id: expect.stringMatching(/^gid:\/\/shopify\/InventoryItem\//) },
        quantities: [{ name: "available", quantity: expect.any(Number) }],
      });
    }
    expect(
      levels.some((l) => objects[objects.indexOf(l) - 1]!.id !== l.__parentId && !levels.includes(objects[objects.indexOf(l) - 1]!)),
    ).toBe(true);
  });

  it("groups children right after their parent when asked (groupObjects: true)", async () => {
    const { bulkOperation } = await runBulk(CATALOG_BULK_VARIANTS, shop.accessToken, true);
    const objects = await lines((await finished(bulkOperation!.id)).url!);
    let parent: unknown = null;
    for (const o of objects) {
      if (o.__parentId === undefined) parent = o.id;
      else expect(o.__parentId).toBe(parent);
    }
  });

  it.each([
    ["a field Shopify does not have", `{ productVariants { edges { node { id backorderable } } } }`, /Cannot query field "backorderable"/],
    ["no connection at the top", `{ shop { name } }`, /must be a connection/],
    ["the top-level node field", `{ node(id: "gid://shopify/Product/1") { id } }`, /node/],
    ["two top-level fields", `{ products { edges { node { id } } } locations { edges { node { id } } } }`, /exactly one top-level field/],
    [
      "connections nested three deep",
      `{ products { edges { node { variants { edges { node { inventoryItem { inventoryLevels { edges { node { location { metafields { edges { node { id } } } } } } } } } } } } } } }`,
      /nested more than 2/,
    ],
    ["a mutation", `mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { userErrors { message } } }`, /mutations/],
  ])("refuses %s with an INVALID userError", async (_what, query, message) => {
    const { bulkOperation, userErrors } = await runBulk(query);
    expect(bulkOperation).toBeNull();
    expect(userErrors).toEqual([{ field: ["query"], message: expect.stringMatching(message), code: "INVALID" }]);
  });

  it("fails the operation with ACCESS_DENIED when the app's scopes do not cover the query", async () => {
    const { bulkOperation } = await runBulk(CATALOG_BULK_VARIANTS, narrow.accessToken);
    expect(await finished(bulkOperation!.id, narrow.accessToken)).toMatchObject({
      status: "FAILED",
      errorCode: "ACCESS_DENIED",
      url: null,
    });
  });

  it(`runs at most ${MAX_CONCURRENT_BULK_QUERIES} at once per shop (API 2026-01 and later)`, async () => {
    standin.bulk.pause();
    const started = [];
    for (let i = 0; i < MAX_CONCURRENT_BULK_QUERIES; i++) started.push(await runBulk(CATALOG_BULK_VARIANTS));
    expect(started.every((s) => s.bulkOperation?.status === "CREATED")).toBe(true);
    for (const s of started) expect((await status(s.bulkOperation!.id)).status).toBe("RUNNING");
    const sixth = await runBulk(CATALOG_BULK_VARIANTS);
    expect(sixth).toEqual({ bulkOperation: null, userErrors: [expect.objectContaining({ code: "LIMIT_REACHED" })] });
    standin.bulk.resume();
    for (const s of started) expect((await finished(s.bulkOperation!.id)).status).toBe("COMPLETED");
    expect((await runBulk(CATALOG_BULK_VARIANTS)).userErrors).toEqual([]);
  });

  it("fails with an error code and serves the partial data; a cut download breaks off mid-file", async () => {
    standin.bulk.failNext("TIMEOUT", 5);
    const { bulkOperation } = await runBulk(CATALOG_BULK_VARIANTS);
    const op = await finished(bulkOperation!.id);
    expect(op).toMatchObject({ status: "FAILED", errorCode: "TIMEOUT", objectCount: "5", url: null });
    expect(await lines(op.partialDataUrl!)).toHaveLength(5);

    const ok = await finished((await runBulk(CATALOG_BULK_VARIANTS)).bulkOperation!.id);
    standin.bulk.cutNextDownload(3);
    const res = await fetch(ok.url!);
    await expect(res.text()).rejects.toThrow();
    expect(await lines(ok.url!)).toHaveLength(14); // only the next download was cut
  });
});
