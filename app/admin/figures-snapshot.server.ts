// The admin's heavy figures (the dashboard's aggregates, the planning page's per-variant plans)
// served from a per-shop snapshot: the loader reads one row and shows its "as of" time; once
// the snapshot is older than FRESH_MS it still serves it and recomputes it after the response
// (one instance at a time, by a lease on the row), so the merchant never waits for the
// aggregates unless there is no snapshot yet or it is older than MAX_AGE_MS (then computed
// inline, as before). Each figure is exact as of its snapshot's time
// (docs/decisions/0027-figures-snapshot.md).
import type { Db, Tx } from "../db/client.server.ts";

/** Younger than this: served as is. */
export const FRESH_MS = 30_000;
/**
 * Older than this: not shown, recomputed inline. A day: a merchant back after lunch or the
 * next morning sees the last figures at once, marked with their age, and the page reloads
 * them seconds later; figures older than that would mislead more than they help.
 */
export const MAX_AGE_MS = 24 * 60 * 60_000;
/** How long one recomputation may hold the row before another instance may take it over. */
const LEASE_MS = 60_000;

export interface Snapshot<T> {
  value: T;
  asOf: Date;
  /** The recomputation this read started (after the response); null when none was needed or another instance holds it. */
  refreshing: Promise<void> | null;
}

export interface SnapshotOptions {
  now?: Date;
  freshMs?: number;
  maxAgeMs?: number;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === "P2002";

/**
 * The figures `key` of `shop` (a key names the figure set and its parameters): the snapshot
 * when fresh enough, else computed now by `compute(now)` and stored. The value must survive a
 * JSON round trip unchanged (strings and numbers, no Dates or Maps).
 */
export async function snapshotOf<T>(
  client: Db,
  shop: string,
  key: string,
  compute: (now: Date) => Promise<T>,
  { now = new Date(), freshMs = FRESH_MS, maxAgeMs = MAX_AGE_MS }: SnapshotOptions = {},
): Promise<Snapshot<T>> {
  const row = await client.figuresSnapshot.findUnique({ where: { shop_key: { shop, key } } });
  const age = row ? now.getTime() - row.asOf.getTime() : Infinity;
  if (!row || age > maxAgeMs) {
    const value = await compute(now);
    await store(client, shop, key, value, now);
    return { value, asOf: now, refreshing: null };
  }
  const value = JSON.parse(row.payload) as T;
  if (age <= freshMs) return { value, asOf: row.asOf, refreshing: null };
  // Stale: take the refresh lease (none held, or one expired), then recompute without awaiting.
  // Only of the snapshot read: one refreshed since (by a refresh that let its lease go) is not stale.
  const claimed = await client.figuresSnapshot.updateMany({
    where: { shop, key, asOf: row.asOf, OR: [{ refreshingUntil: null }, { refreshingUntil: { lt: now } }] },
    data: { refreshingUntil: new Date(now.getTime() + LEASE_MS) },
  });
  const refreshing = claimed.count === 1 ? refresh(client, shop, key, compute) : null;
  return { value, asOf: row.asOf, refreshing };
}

async function refresh<T>(client: Db, shop: string, key: string, compute: (now: Date) => Promise<T>): Promise<void> {
  try {
    const at = new Date();
    await store(client, shop, key, await compute(at), at);
  } catch (e) {
    // The old snapshot stays, and with the lease let go the next stale read tries again.
    console.error(`figures snapshot ${key} of ${shop}: ${(e as Error).message}`);
    await client.figuresSnapshot.updateMany({ where: { shop, key }, data: { refreshingUntil: null } }).catch(() => undefined);
  }
}

export type RefreshOutcome = "refreshed" | "fresh" | "leased";

/**
 * Recomputes the figures `key` of `shop` as of `now` (taken after the changes it must show
 * committed), off any request (the worker keeps snapshots
 * warm with it, decision 0032): skipped when the snapshot is younger than `minAgeMs` (at most
 * one recomputation per shop and key per that time, whoever made the last one) or when
 * another instance holds its lease; a missing snapshot is computed and stored. A failure lets
 * the lease go, keeps the old snapshot and rethrows.
 */
export async function refreshSnapshot<T>(
  client: Db,
  shop: string,
  key: string,
  compute: (now: Date) => Promise<T>,
  { now = new Date(), minAgeMs = 0 }: { now?: Date; minAgeMs?: number } = {},
): Promise<RefreshOutcome> {
  const row = await client.figuresSnapshot.findUnique({ where: { shop_key: { shop, key } }, select: { asOf: true } });
  if (row && now.getTime() - row.asOf.getTime() < minAgeMs) return "fresh";
  if (row) {
    // As in snapshotOf: the lease of the snapshot read, not of one another instance stored since.
    const claimed = await client.figuresSnapshot.updateMany({
      where: { shop, key, asOf: row.asOf, OR: [{ refreshingUntil: null }, { refreshingUntil: { lt: now } }] },
      data: { refreshingUntil: new Date(now.getTime() + LEASE_MS) },
    });
    if (claimed.count === 0) return "leased";
  }
  try {
    await store(client, shop, key, await compute(now), now);
    return "refreshed";
  } catch (e) {
    if (row) await client.figuresSnapshot.updateMany({ where: { shop, key }, data: { refreshingUntil: null } }).catch(() => undefined);
    throw e;
  }
}

/** Stores a snapshot unless a newer one is there (two writers: the later figures win). */
async function store(client: Db, shop: string, key: string, value: unknown, asOf: Date): Promise<void> {
  const data = { payload: JSON.stringify(value), asOf, refreshingUntil: null };
  const updated = await client.figuresSnapshot.updateMany({ where: { shop, key, asOf: { lte: asOf } }, data });
  if (updated.count === 1) return;
  try {
    await client.figuresSnapshot.create({ data: { shop, key, ...data } });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e; // the row exists with newer figures (or was just created with them)
  }
}

/** Forgets a shop's snapshots after the merchant changed what they show, so the next load computes them. */
export async function dropSnapshots(client: Db | Tx, shop: string, keyPrefix = ""): Promise<void> {
  await client.figuresSnapshot.deleteMany({ where: { shop, key: { startsWith: keyPrefix } } });
}
