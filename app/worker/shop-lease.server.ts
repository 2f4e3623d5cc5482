// One writer per shop: a worker applies a shop's inbox only while it holds the shop's lease
// (ShopLease row). Any number of worker processes then share out the shops, and one shop's
// events are never applied by two transactions at once, so "newest wins" and each variant's
// derivation see one writer. See docs/decisions/0010-one-writer-per-shop.md.
import type { Db, Tx } from "../db/client.server.ts";

/** The lease was lost (it ran out while this worker stalled, and another took the shop over). */
export class ShopLeaseLost extends Error {
  override name = "ShopLeaseLost";
}

/**
 * Claims the shop for `owner` unless another worker's lease is live; true when claimed.
 * A live lease is seen with a plain read, so a held shop is skipped at once instead of waiting
 * for the row lock the holder keeps during each chunk (holdShop). The write is one conditional
 * upsert: of two workers claiming a free or expired lease at once, exactly one changes the row
 * (PostgreSQL re-checks the condition on the row it locked; SQLite has one writer).
 */
export async function claimShop(db: Db, shop: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  const held = await db.shopLease.findUnique({ where: { shop } });
  if (held && held.lockedBy !== owner && held.lockedUntil.getTime() >= now.getTime()) return false;
  const until = new Date(now.getTime() + leaseMs);
  const claimed = await db.$executeRaw`
    INSERT INTO "ShopLease" ("shop", "lockedBy", "lockedUntil") VALUES (${shop}, ${owner}, ${until})
    ON CONFLICT ("shop") DO UPDATE SET "lockedBy" = excluded."lockedBy", "lockedUntil" = excluded."lockedUntil"
    WHERE "ShopLease"."lockedUntil" < ${now} OR "ShopLease"."lockedBy" = excluded."lockedBy"`;
  return claimed === 1;
}

/**
 * Inside a transaction that applies the shop's events, first: renews the lease and proves it is
 * still ours. On PostgreSQL the update also locks the lease row until the transaction ends, so
 * a worker that found the lease run out cannot take the shop over while this transaction is
 * still writing (its claim waits for the commit, then sees the renewed lease). A worker whose
 * lease was taken over gets ShopLeaseLost and its transaction rolls back.
 */
export async function holdShop(tx: Tx, shop: string, owner: string, now: Date, leaseMs: number): Promise<void> {
  const { count } = await tx.shopLease.updateMany({
    where: { shop, lockedBy: owner },
    data: { lockedUntil: new Date(now.getTime() + leaseMs) },
  });
  if (count !== 1) throw new ShopLeaseLost(`the lease on ${shop} passed to another worker`);
}

/** Done with the shop: the next worker (or this one, on its next pass) claims it at once. */
export async function releaseShop(db: Db, shop: string, owner: string): Promise<void> {
  await db.shopLease.deleteMany({ where: { shop, lockedBy: owner } });
}
