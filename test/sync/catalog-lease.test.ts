// The catalog sync of a large shop outlasts the ordinary task lease (it waits on the rate
// limit between pages): while one runner is still paging, another must not claim it again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { queueCatalogSyncOnInstall } from "../../app/sync/install.server.ts";
import { runPendingSync, SYNC_LEASE_MS } from "../../app/sync/runner.server.ts";
import { SYNC_KIND } from "../../app/sync/task-kind.ts";
import type { AdminGateway } from "../../app/shopify/admin-operations.server.ts";

const SHOP = "slow-catalog.myshopify.com";
let t: TestDatabase;
let h: Harness;

beforeAll(async () => {
  t = await createTestDatabase("sync_catalog_lease");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(99201, "Warehouse");
    shop.addProduct({
      id: 8500,
      title: "Felt Slippers",
      updatedAt: "2026-11-20T09:00:00Z",
      variants: [{ id: 85001, inventoryItemId: 85501, stock: { 99201: 3 } }],
    });
  });
});
afterAll(async () => {
  await h.close();
  await t.drop();
});

describe("a long catalog sync", () => {
  it("is not claimed by a second runner after the ordinary lease has run out", async () => {
    await queueCatalogSyncOnInstall(t.db, SHOP, h.clock.date());
    // The catalog alone: the shop's shipping metafield, queued with it at install, is a short task of its own.
    await t.db.syncTask.deleteMany({ where: { shop: SHOP, kind: SYNC_KIND.shop } });
    // The first runner's catalog read stalls on its first page until released.
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    let pageStarted!: () => void;
    const started = new Promise<void>((r) => (pageStarted = r));
    const slow = (shop: string): AdminGateway => {
      const g = h.gateways(shop);
      return Object.assign(Object.create(g) as AdminGateway, {
        catalogPage: async (after: string | null) => {
          pageStarted();
          await stalled;
          return g.catalogPage(after);
        },
      });
    };
    const first = runPendingSync(t.db, slow, { now: h.clock.date });
    await started;

    h.clock.advance(SYNC_LEASE_MS + 60_000);
    const second = await runPendingSync(t.db, h.gateways, { now: h.clock.date });
    expect(second).toEqual({ done: 0, retrying: 0, failed: 0 });

    release();
    expect(await first).toMatchObject({ done: 1, failed: 0 });
    expect(await t.db.variant.count({ where: { shop: SHOP } })).toBe(1);
  });
});
