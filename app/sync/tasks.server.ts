// The queue of work for Shopify. The engine (and merchant actions) only enqueue,
// inside their own transaction, so a change and the promise to push it commit
// together; the sync runner (runner.server.ts) pushes later and may retry.
import type { Prisma, Tx } from "../db/client.server.ts";
import { dialectOf } from "../db/dialect.ts";
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

export async function enqueueTask(tx: Tx, shop: string, kind: SyncKind, targetId: string, dueAt = new Date()) {
  const where = { shop_kind_targetId: { shop, kind, targetId } };
  const existing = await tx.syncTask.findUnique({ where, select: { status: true, dueAt: true } });
  // Already waiting to run sooner: keep that time, so a steady stream of changes
  // (a flash sale) cannot postpone the push forever: a debounce with a maximum wait.
  const at = existing?.status === SYNC_TASK_STATUS.pending && existing.dueAt.getTime() < dueAt.getTime() ? existing.dueAt : dueAt;
  await tx.syncTask.upsert({
    where,
    create: { shop, kind, targetId, dueAt: at },
    // A new decision resets the failure count: it is new work, not the old attempt.
    update: { status: SYNC_TASK_STATUS.pending, attempts: 0, dueAt: at, lastError: null },
  });
}

/** Re-reads the auto-enable collection's products from Shopify (one task per shop). */
export const enqueueCollectionRefresh = (tx: Tx, shop: string, now = new Date()) => enqueueTask(tx, shop, SYNC_KIND.collection, shop, now);

/** Rows per statement in enqueueTasks: well inside both databases' parameter limits. */
const ENQUEUE_CHUNK = 500;

/**
 * enqueueTask for many targets of one kind in a few statements per chunk, for merchant
 * actions that reach thousands of orders (a settings change, a bulk action on a filter):
 * one upsert per target would take seconds and outlast the transaction.
 * Same rule: a target already pending sooner keeps its time; any other row becomes
 * pending at `dueAt` with a fresh failure count; missing rows are created.
 */
export async function enqueueTasks(tx: Tx, shop: string, kind: SyncKind, targetIds: Iterable<string>, dueAt = new Date()): Promise<number> {
  const ids = [...new Set(targetIds)];
  for (let i = 0; i < ids.length; i += ENQUEUE_CHUNK) {
    const chunk = ids.slice(i, i + ENQUEUE_CHUNK);
    const these = { shop, kind, targetId: { in: chunk } };
    const sooner = { status: SYNC_TASK_STATUS.pending, dueAt: { lt: dueAt } };
    // Conditions in the statements, not decided from a read: the runner may finish a row meanwhile.
    await tx.syncTask.updateMany({
      where: { ...these, NOT: sooner },
      data: { status: SYNC_TASK_STATUS.pending, attempts: 0, dueAt, lastError: null },
    });
    await tx.syncTask.updateMany({ where: { ...these, ...sooner }, data: { attempts: 0, lastError: null } });
    const existing = new Set((await tx.syncTask.findMany({ where: these, select: { targetId: true } })).map((r) => r.targetId));
    const missing = chunk.filter((targetId) => !existing.has(targetId)).map((targetId) => ({ shop, kind, targetId, dueAt }));
    if (missing.length === 0) continue;
    // SQLite holds the write lock since the updates above, so nobody inserts in between;
    // PostgreSQL does not: a concurrent enqueue of the same target is skipped, not an error.
    const postgres = dialectOf(tx) === "postgres";
    await tx.syncTask.createMany({ data: missing, ...(postgres ? { skipDuplicates: true } : {}) } as Prisma.SyncTaskCreateManyArgs);
  }
  return ids.length;
}

/**
 * Creates the tasks that do not exist yet and leaves the others as they are, whatever
 * their status: for work that must happen at most once per target (a Flow trigger keyed
 * by line, trigger and date), where enqueueTasks' reset of a done row would send it again.
 */
export async function enqueueOnce(tx: Tx, shop: string, kind: SyncKind, targetIds: Iterable<string>, dueAt = new Date()): Promise<number> {
  const ids = [...new Set(targetIds)];
  let created = 0;
  for (let i = 0; i < ids.length; i += ENQUEUE_CHUNK) {
    const chunk = ids.slice(i, i + ENQUEUE_CHUNK);
    const existing = new Set(
      (await tx.syncTask.findMany({ where: { shop, kind, targetId: { in: chunk } }, select: { targetId: true } })).map((r) => r.targetId),
    );
    const missing = chunk.filter((targetId) => !existing.has(targetId)).map((targetId) => ({ shop, kind, targetId, dueAt }));
    if (missing.length === 0) continue;
    // As in enqueueTasks: on PostgreSQL a concurrent insert of the same key is skipped, not an error.
    const postgres = dialectOf(tx) === "postgres";
    const r = await tx.syncTask.createMany({
      data: missing,
      ...(postgres ? { skipDuplicates: true } : {}),
    } as Prisma.SyncTaskCreateManyArgs);
    created += r.count;
  }
  return created;
}
