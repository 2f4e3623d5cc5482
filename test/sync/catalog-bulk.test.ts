// The catalog of a shop larger than one page, through a bulk operation run by the stand-in
// (validated against Shopify's schema, JSONL served over HTTP): applied in chunks, resumed
// from the saved line after an interrupted download or by a second runner, a FAILED
// operation surfaced with its error code and retried with a new one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import type { StandinShop } from "../../dev/admin-standin/state.ts";
import { runCatalogSync } from "../../app/sync/catalog-sync.server.ts";
import { CatalogSyncSuperseded } from "../../app/sync/catalog-bulk.server.ts";
import { queueCatalogSyncOnInstall } from "../../app/sync/install.server.ts";
import { syncBackoffMs } from "../../app/sync/runner.server.ts";
import { AdminApiError } from "../../app/shopify/admin-errors.ts";
import { DEFAULT_SCOPES } from "../../app/config.server.ts";

let t: TestDatabase;
const harnesses: Harness[] = [];

const PRODUCTS = 45;
/** 45 products of 3 variants; each variant stocked at the warehouse, every other one at the store too. */
function seed(shop: StandinShop) {
  shop.addLocation(61001, "Warehouse");
  shop.addLocation(61002, "Store");
  for (let p = 0; p < PRODUCTS; p++) {
    shop.addProduct({
      id: 7000 + p,
      title: `Product ${p}`,
      tags: p % 2 ? ["odd"] : [],
      updatedAt: "2026-11-20T09:00:00Z",
      variants: [0, 1, 2].map((v) => {
        const n = p * 3 + v;
        return {
          id: 70000 + n,
          inventoryItemId: 80000 + n,
          title: `V${v}`,
          sku: `SKU-${n}`,
          price: `${10 + v}.00`,
          inventoryPolicy: n % 5 === 0 ? ("CONTINUE" as const) : ("DENY" as const),
          stock: (n % 2 ? { 61001: n, 61002: 1 } : { 61001: n }) as Record<string, number>,
        };
      }),
    });
  }
}
const VARIANTS = PRODUCTS * 3;
const LEVELS = VARIANTS + Math.floor(VARIANTS / 2);
/** One line per variant and per inventory level. */
const LINES = VARIANTS + LEVELS;

async function harness(name: string, scopes?: string[]): Promise<Harness> {
  const h = await createHarness(t.db, `${name}.myshopify.com`, (shop) => {
    if (scopes) shop.grantedScopes = new Set(scopes);
    seed(shop);
  });
  harnesses.push(h);
  return h;
}

const calls = (h: Harness, name: string) =>
  h.standin.calls.filter((c) => c.operationName === name && c.status === 200 && c.errors.length === 0).length;

async function catalogOf(shop: string) {
  const variants = await t.db.variant.findMany({ where: { shop }, orderBy: { variantId: "asc" } });
  const levels = await t.db.inventoryLevel.findMany({ where: { shop } });
  return { variants, levels };
}

/** Everything the stand-in shop has, as the engine must know it. */
async function expectWholeCatalog(shop: string) {
  const { variants, levels } = await catalogOf(shop);
  expect(variants).toHaveLength(VARIANTS);
  expect(levels).toHaveLength(LEVELS);
  const v7 = variants.find((v) => v.variantId === "70007")!;
  expect(v7).toMatchObject({
    productId: "7002",
    inventoryItemId: "80007",
    title: "V1",
    sku: "SKU-7",
    price: "11.00",
    inventoryPolicy: "deny",
    productTitle: "Product 2",
    productTags: "",
  });
  expect(variants.find((v) => v.variantId === "70010")).toMatchObject({ inventoryPolicy: "continue", productTags: "odd" });
  expect(
    levels
      .filter((l) => l.inventoryItemId === "80007")
      .map((l) => [l.locationId, l.available])
      .sort(),
  ).toEqual([
    ["61001", 7],
    ["61002", 1],
  ]);
  expect(await t.db.catalogBulkSync.count({ where: { shop } })).toBe(0);
}

beforeAll(async () => {
  t = await createTestDatabase("sync_catalog_bulk");
});
afterAll(async () => {
  for (const h of harnesses) await h.close();
  await t.drop();
});

describe("the catalog of a shop larger than one page", () => {
  it("is read through one bulk operation and applied in chunks", async () => {
    const h = await harness("bulk-chunks");
    const shop = h.shop.domain;
    const r = await runCatalogSync(t.db, h.gateways(shop), shop, h.clock.date(), { chunkLines: 40 });
    expect(r).toMatchObject({
      via: "bulk",
      variants: VARIANTS,
      levels: LEVELS,
      lines: LINES,
      resumedFromLine: 0,
      pages: Math.ceil(LINES / 40),
    });
    // One page tells the catalog is large, then the bulk operation and its polls.
    const names = h.standin.calls.map((c) => c.operationName);
    expect(names.slice(0, 3)).toEqual(["ShopFacts", "CatalogVariants", "RunBulkQuery"]);
    expect(names.slice(3).every((n) => n === "BulkOperationStatus")).toBe(true);
    const run = h.standin.calls.find((c) => c.operationName === "RunBulkQuery")!;
    expect(run.variables.query).toContain("CatalogBulkVariants");
    await expectWholeCatalog(shop);
    expect((await t.db.shopSettings.findUniqueOrThrow({ where: { shop } })).catalogSyncedAt).not.toBeNull();
  });

  it("resumes an interrupted download from the saved line, with the same operation", async () => {
    const h = await harness("bulk-resume");
    const shop = h.shop.domain;
    // The connection breaks after 130 lines: three chunks of 40 are applied, the fourth is not.
    h.standin.bulk.cutNextDownload(130);
    const first = await runCatalogSync(t.db, h.gateways(shop), shop, h.clock.date(), { chunkLines: 40 }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(AdminApiError);
    expect((first as AdminApiError).permanent).toBe(false);
    expect((first as Error).message).toMatch(/bulk result download: interrupted/);
    const saved = await t.db.catalogBulkSync.findUniqueOrThrow({ where: { shop } });
    expect(saved.linesApplied).toBe(120);
    const partial = await catalogOf(shop);
    expect(partial.variants.length).toBeLessThan(VARIANTS);

    const second = await runCatalogSync(t.db, h.gateways(shop), shop, h.clock.date(), { chunkLines: 40 });
    expect(second).toMatchObject({ via: "bulk", operationId: saved.operationId, resumedFromLine: 120, lines: LINES - 120 });
    expect(calls(h, "RunBulkQuery")).toBe(1);
    // The second run's page read no longer happens: a sync under way goes straight to its operation.
    expect(calls(h, "CatalogVariants")).toBe(1);
    await expectWholeCatalog(shop);
  });

  it("is applied once when a second runner takes over (the first one's lease ran out): the slower one stops", async () => {
    const h = await harness("bulk-two-runners");
    const shop = h.shop.domain;
    h.standin.bulk.cutNextDownload(50);
    await expect(runCatalogSync(t.db, h.gateways(shop), shop, h.clock.date(), { chunkLines: 40 })).rejects.toThrow(/interrupted/);
    expect((await t.db.catalogBulkSync.findUniqueOrThrow({ where: { shop } })).linesApplied).toBe(40);

    // Both resume from line 40; each chunk commits only where the saved count still is.
    const runs = await Promise.allSettled(
      [1, 2].map(() => runCatalogSync(t.db, h.gateways(shop), shop, h.clock.date(), { chunkLines: 40 })),
    );
    const done = runs.filter((r) => r.status === "fulfilled");
    const stopped = runs.filter((r) => r.status === "rejected");
    expect(done).toHaveLength(1);
    expect(stopped).toHaveLength(1);
    expect((stopped[0] as PromiseRejectedResult).reason).toBeInstanceOf(CatalogSyncSuperseded);
    expect((done[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof runCatalogSync>>>).value).toMatchObject({
      resumedFromLine: 40,
      lines: LINES - 40,
    });
    expect(calls(h, "RunBulkQuery")).toBe(1);
    await expectWholeCatalog(shop);
  });

  it("surfaces a FAILED operation with its error code on the task, and the retry runs a new one", async () => {
    const h = await harness("bulk-failed");
    const shop = h.shop.domain;
    await queueCatalogSyncOnInstall(t.db, shop, h.clock.date());
    h.standin.bulk.failNext("INTERNAL_SERVER_ERROR", 30);
    // The shop's shipping metafield, queued with the catalog at install, needs no catalog: done.
    expect(await h.run()).toEqual({ done: 1, retrying: 1, failed: 0 });
    const task = await t.db.syncTask.findFirstOrThrow({ where: { shop, kind: "catalog" } });
    expect(task.status).toBe("pending");
    expect(task.lastError).toMatch(
      /^attempt 1: catalog bulk operation gid:\/\/shopify\/BulkOperation\/\d+ FAILED \(INTERNAL_SERVER_ERROR\) after 30 objects; a new one starts on retry$/,
    );
    expect(await t.db.catalogBulkSync.count({ where: { shop } })).toBe(0);

    h.clock.advance(syncBackoffMs(1));
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(calls(h, "RunBulkQuery")).toBe(2);
    expect(await t.db.syncTask.findFirstOrThrow({ where: { shop, kind: "catalog" } })).toMatchObject({ status: "done", lastError: null });
    await expectWholeCatalog(shop);
  });

  it("fails for good when the operation is refused for the app's scopes (ACCESS_DENIED)", async () => {
    const h = await harness(
      "bulk-denied",
      DEFAULT_SCOPES.filter((s) => s !== "read_inventory"),
    );
    const shop = h.shop.domain;
    const e = await runCatalogSync(t.db, h.gateways(shop), shop, h.clock.date(), { mode: "bulk" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AdminApiError);
    expect((e as AdminApiError).permanent).toBe(true);
    expect((e as Error).message).toMatch(/FAILED \(ACCESS_DENIED\)/);
    expect(await t.db.variant.count({ where: { shop } })).toBe(0);
  });
});
