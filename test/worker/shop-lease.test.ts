// One writer per shop: the shop's lease is claimed by exactly one worker, a held shop is
// skipped, a killed worker's shop is taken over once its lease runs out, and a worker that
// lost its lease cannot commit anything more for that shop.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { claimShop, holdShop, releaseShop, ShopLeaseLost } from "../../app/worker/shop-lease.server.ts";
import { drainInbox, LEASE_MS } from "../../app/worker/worker.server.ts";
import { storeOrderEvents } from "../faults/support/inbox-events.ts";

let t: TestDatabase;
const SHOP = "lease.myshopify.com";
const OTHER = "lease-other.myshopify.com";

beforeAll(async () => {
  t = await createTestDatabase("shop_lease");
});
afterAll(() => t.drop());
beforeEach(async () => {
  await t.db.shopLease.deleteMany({});
  await t.db.webhookInbox.deleteMany({});
});

describe("the shop's lease", () => {
  it("of many workers claiming one shop at once, exactly one gets it", async () => {
    const now = new Date();
    const owners = Array.from({ length: 8 }, (_, i) => `worker-${i}`);
    const won = await Promise.all(owners.map((o) => claimShop(t.db, SHOP, o, now, LEASE_MS)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const holder = owners[won.indexOf(true)]!;
    expect(await t.db.shopLease.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ lockedBy: holder });
    // Still held: nobody else gets it; once run out, exactly one of the rest does.
    expect(await claimShop(t.db, SHOP, "late", new Date(now.getTime() + LEASE_MS - 1), LEASE_MS)).toBe(false);
    const later = new Date(now.getTime() + LEASE_MS + 1);
    const again = await Promise.all(owners.filter((o) => o !== holder).map((o) => claimShop(t.db, SHOP, o, later, LEASE_MS)));
    expect(again.filter(Boolean)).toHaveLength(1);
  });

  it("a shop held by another worker is skipped, the others are drained; after the lease runs out it is taken over", async () => {
    await storeOrderEvents(t.db, SHOP, 5);
    await storeOrderEvents(t.db, OTHER, 5);
    const now = new Date();
    expect(await claimShop(t.db, SHOP, "killed-worker", now, LEASE_MS)).toBe(true);

    expect(await drainInbox(t.db, { now: () => now })).toEqual({ processed: 5, failed: 0, rejected: 0 });
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: "pending", attempts: 0 } })).toBe(5); // not even claimed
    expect(await t.db.webhookInbox.count({ where: { shop: OTHER, status: "done" } })).toBe(5);

    const later = new Date(now.getTime() + LEASE_MS + 1000);
    expect(await drainInbox(t.db, { now: () => later })).toEqual({ processed: 5, failed: 0, rejected: 0 });
    // Released at the end: the next event of the shop is not held up by a finished drain.
    expect(await t.db.shopLease.count()).toBe(0);
  });

  it("a worker whose lease passed to another commits nothing more: its transaction rolls back", async () => {
    const now = new Date();
    expect(await claimShop(t.db, SHOP, "stalled", now, LEASE_MS)).toBe(true);
    const later = new Date(now.getTime() + LEASE_MS + 1);
    expect(await claimShop(t.db, SHOP, "successor", later, LEASE_MS)).toBe(true);
    await expect(
      t.db.$transaction(async (tx) => {
        await tx.shopSettings.create({ data: { shop: SHOP } });
        await holdShop(tx, SHOP, "stalled", later, LEASE_MS);
      }),
    ).rejects.toBeInstanceOf(ShopLeaseLost);
    expect(await t.db.shopSettings.count({ where: { shop: SHOP } })).toBe(0);
    // Its release leaves the successor's lease alone.
    await releaseShop(t.db, SHOP, "stalled");
    expect(await t.db.shopLease.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ lockedBy: "successor" });
  });

  it("a drain that loses the lease mid-way stops and puts its unapplied events back, uncounted", async () => {
    await storeOrderEvents(t.db, SHOP, 150); // two chunks
    const start = new Date();
    let stolen = false;
    const r = await drainInbox(t.db, {
      now: () => start,
      // With the first chunk, the shop passes to another worker (as if this one had stalled past its lease).
      afterApply: async (tx) => {
        if (stolen) return;
        stolen = true;
        await tx.shopLease.updateMany({ data: { lockedBy: "successor" } });
      },
    });
    // The first chunk committed; the second could not.
    expect(r.processed).toBe(100);
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: "done" } })).toBe(100);
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: "pending", attempts: 0, lockedBy: null } })).toBe(50);
    expect(await t.db.shopLease.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ lockedBy: "successor" });
  });
});
