// The queue of work for Shopify. The engine (and merchant actions) only enqueue,
// inside their own transaction, so a change and the promise to push it commit
// together; the sync runner (issue 3) pushes later and may retry.
import type { Tx } from "../db/client.server.ts";

export type SyncKind = "variant" | "order" | "catalog" | "order-cancel";

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
  const rows: { kind: SyncKind; targetId: string }[] = [
    ...[...new Set(targets.variantIds ?? [])].map((targetId) => ({ kind: "variant" as const, targetId })),
    ...[...new Set(targets.orderIds ?? [])].map((targetId) => ({ kind: "order" as const, targetId })),
  ];
  for (const r of rows) await enqueueTask(tx, shop, r.kind, r.targetId, dueAt);
}

export async function enqueueTask(tx: Tx, shop: string, kind: SyncKind, targetId: string, dueAt = new Date()) {
  const where = { shop_kind_targetId: { shop, kind, targetId } };
  const existing = await tx.syncTask.findUnique({ where, select: { status: true, dueAt: true } });
  // Already waiting to run sooner: keep that time, so a steady stream of changes
  // (a flash sale) cannot postpone the push forever: a debounce with a maximum wait.
  const at = existing?.status === "pending" && existing.dueAt.getTime() < dueAt.getTime() ? existing.dueAt : dueAt;
  await tx.syncTask.upsert({
    where,
    create: { shop, kind, targetId, dueAt: at },
    // A new decision resets the failure count: it is new work, not the old attempt.
    update: { status: "pending", attempts: 0, dueAt: at, lastError: null },
  });
}
