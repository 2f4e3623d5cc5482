// The queue of work for Shopify. The engine (and merchant actions) only enqueue,
// inside their own transaction, so a change and the promise to push it commit
// together; the sync runner (runner.server.ts) pushes later and may retry.
import { chunks } from "../db/chunks.ts";
import type { Tx } from "../db/client.server.ts";
import { dialectOf } from "../db/dialect.ts";
import { SqlParams } from "../db/sql-params.ts";
import { SYNC_KIND, type SyncKind } from "./task-kind.ts";
import { SYNC_TASK_STATUS } from "./task-status.ts";

export interface SyncTargets {
  variantIds?: Iterable<string>;
  orderIds?: Iterable<string>;
}

/**
 * Marks targets as needing a push. One row per (shop, kind, target): enqueuing
 * again while a push is pending just brings it forward, so a burst coalesces.
 * `delayMs` lets a caller debounce (e.g. a transient stock flip).
 */
export async function enqueueSync(tx: Tx, shop: string, targets: SyncTargets, now = new Date(), delayMs = 0) {
  const dueAt = new Date(now.getTime() + delayMs);
  await enqueueTasks(tx, shop, SYNC_KIND.variant, targets.variantIds ?? [], dueAt);
  await enqueueTasks(tx, shop, SYNC_KIND.order, targets.orderIds ?? [], dueAt);
}

export const enqueueTask = (tx: Tx, shop: string, kind: SyncKind, targetId: string, dueAt = new Date()) =>
  enqueueTasks(tx, shop, kind, [targetId], dueAt);

/** Re-reads the auto-enable collection's products from Shopify (one task per shop). */
export const enqueueCollectionRefresh = (tx: Tx, shop: string, now = new Date()) => enqueueTask(tx, shop, SYNC_KIND.collection, shop, now);

/** Targets per statement: one parameter each, well inside both databases' parameter limits. */
const ENQUEUE_CHUNK = 500;

/**
 * Marks many targets of one kind as needing a push, one statement per chunk: a flash sale's
 * worker chunk and merchant actions that reach thousands of orders (a settings change, a bulk
 * action on a filter) alike. The rule: a target already pending sooner keeps its time (a
 * steady stream of changes cannot postpone the push forever: a debounce with a maximum wait);
 * any other row becomes pending at `dueAt` with a fresh failure count (a new decision is new
 * work, not the old attempt); missing rows are created. A row being pushed (running) becomes
 * pending with its lease kept, so the runner's finish leaves it to run again (claim.server.ts).
 */
export async function enqueueTasks(tx: Tx, shop: string, kind: SyncKind, targetIds: Iterable<string>, dueAt = new Date()): Promise<number> {
  const ids = sortedUnique(targetIds);
  for (const chunk of chunks(ids, ENQUEUE_CHUNK)) {
    const p = new SqlParams(dialectOf(tx));
    // The rule is decided in the statement, on the row as it is when written, not from an
    // earlier read: the runner may finish a row meanwhile, and on PostgreSQL another
    // transaction may insert the same target (ON CONFLICT then updates its row instead).
    await tx.$executeRawUnsafe(
      `${insertTasks(p, shop, kind, chunk, dueAt)}
      ON CONFLICT ("shop", "kind", "targetId") DO UPDATE SET
        "dueAt" = CASE WHEN "SyncTask"."status" = excluded."status" AND "SyncTask"."dueAt" < excluded."dueAt"
                       THEN "SyncTask"."dueAt" ELSE excluded."dueAt" END,
        "status" = excluded."status", "attempts" = 0, "lastError" = NULL, "updatedAt" = excluded."updatedAt"`,
      ...p.values,
    );
  }
  return ids.length;
}

/**
 * Creates the tasks that do not exist yet and leaves the others as they are, whatever
 * their status: for work that must happen at most once per target (a Flow trigger keyed
 * by line, trigger and date), where enqueueTasks' reset of a done row would send it again.
 */
export async function enqueueOnce(tx: Tx, shop: string, kind: SyncKind, targetIds: Iterable<string>, dueAt = new Date()): Promise<number> {
  let created = 0;
  for (const chunk of chunks(sortedUnique(targetIds), ENQUEUE_CHUNK)) {
    const p = new SqlParams(dialectOf(tx));
    // DO NOTHING also skips a row a concurrent transaction inserted meanwhile (PostgreSQL).
    created += await tx.$executeRawUnsafe(`${insertTasks(p, shop, kind, chunk, dueAt)} ON CONFLICT DO NOTHING`, ...p.values);
  }
  return created;
}

/**
 * `INSERT INTO "SyncTask" … SELECT` of one pending row per target, with the columns Prisma
 * fills client-side written out: `updatedAt` (@updatedAt has no database default) and
 * `createdAt` (the database's CURRENT_TIMESTAMP is not the format Prisma writes on SQLite).
 * The targets are the only per-row parameter; shop, kind and times are bound once.
 */
function insertTasks(p: SqlParams, shop: string, kind: SyncKind, targetIds: readonly string[], dueAt: Date): string {
  const now = new Date();
  const at = (d: Date) => p.p(d, "timestamp(3)");
  // Unknown-typed parameters in a SELECT list are text to PostgreSQL: typed here (`WHERE true`:
  // SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT, or it reads ON as a join's).
  return `INSERT INTO "SyncTask" ("shop", "kind", "targetId", "status", "attempts", "dueAt", "createdAt", "updatedAt")
    SELECT ${p.p(shop, "text")}, ${p.p(kind, "text")}, t."column1", ${p.p(SYNC_TASK_STATUS.pending, "text")}, 0, ${at(dueAt)}, ${at(now)}, ${at(now)}
    FROM (VALUES ${targetIds.map((id) => `(${p.p(id)})`).join(", ")}) AS t WHERE true`;
}

/**
 * Sorted: two transactions enqueuing overlapping targets (PostgreSQL) lock the rows in the
 * same order, so one waits for the other rather than both deadlocking.
 */
const sortedUnique = (targetIds: Iterable<string>) => [...new Set(targetIds)].sort();
