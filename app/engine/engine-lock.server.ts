// On PostgreSQL, every transaction that writes a shop's facts or re-derives its variants
// holds one lock per shop, taken first: two such transactions (the inbox worker and the
// catalog sync, in different processes) never derive one variant from two snapshots at once.
//
// Why per shop and not per variant: the variants a transaction re-derives are known only
// after it has written facts (an inventory level reaches its variants through Variant rows,
// an order through its lines), so per-variant locks would be taken while row locks are
// already held, in an order no sorting can fix across transactions, and could deadlock.
// One lock taken before anything else cannot. It costs the inbox nothing (a shop's inbox has
// one writer anyway, see app/worker/shop-lease.server.ts); the catalog sync waits for a chunk.
//
// SQLite needs none: a write transaction there holds the database's only write lock from
// its start (BEGIN IMMEDIATE, app/db/client.server.ts).
import type { Tx } from "../db/client.server.ts";
import { dialectOf } from "../db/dialect.ts";

/** First key of the two-key advisory lock: this lock's namespace (any constant of our own). */
const ENGINE_LOCK_SPACE = 0x6271; // "bq"

/** Inside a transaction, before it reads or writes the shop's facts; released at commit or rollback. */
export async function lockShopEngine(tx: Tx, shop: string): Promise<void> {
  if (dialectOf(tx) !== "postgres") return;
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${ENGINE_LOCK_SPACE}::int, hashtext(${shop}))`;
}
