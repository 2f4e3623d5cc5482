// The merchant's "undo the app's changes before uninstalling" (Settings): pauses the shop's
// sync (the engine keeps the queue; nothing but the undo goes to Shopify) and queues the undo
// (app/sync/undo.server.ts); "turn the app back on" lifts the pause and pushes the app's
// current state again. Progress is read from the app's own records of what it set.
import type { Db } from "../db/client.server.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { SYNC_KIND } from "../sync/task-kind.ts";
import { enqueueShopShipping } from "../sync/shop-sync.server.ts";
import { enqueueTask, enqueueTasks } from "../sync/tasks.server.ts";
import { undoRemaining, type UndoRemaining } from "../sync/undo.server.ts";

export interface UndoStatus {
  /** The app sends Shopify nothing but the undo since then (null: the app is on). */
  pausedAt: string | null;
  /** When the last undo finished. */
  undoneAt: string | null;
  remaining: UndoRemaining;
  /** Variants whose policy the app changed before it recorded the earlier one: they go back to DENY. */
  withoutOriginal: number;
  /** The undo task's state: pending/running/done/failed, with its last error (the retry is in Sync problems). */
  task: { status: string; attempts: number; lastError: string | null } | null;
}

export async function loadUndoStatus(db: Db, shop: string): Promise<UndoStatus> {
  const [settings, remaining, withoutOriginal, task] = await Promise.all([
    db.shopSettings.findUnique({ where: { shop }, select: { pausedAt: true, undoneAt: true } }),
    undoRemaining(db, shop),
    db.syncedVariant.count({ where: { shop, inventoryPolicy: { not: null }, originalPolicy: null } }),
    db.syncTask.findUnique({
      where: { shop_kind_targetId: { shop, kind: SYNC_KIND.undo, targetId: shop } },
      select: { status: true, attempts: true, lastError: true },
    }),
  ]);
  return {
    pausedAt: settings?.pausedAt?.toISOString() ?? null,
    undoneAt: settings?.undoneAt?.toISOString() ?? null,
    remaining,
    withoutOriginal,
    task,
  };
}

/** Pauses the shop's sync and queues the undo; asking again while paused queues it again (a retry). */
export async function requestUndo(db: Db, shop: string, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    const current = await tx.shopSettings.findUnique({ where: { shop }, select: { pausedAt: true } });
    const data = { pausedAt: current?.pausedAt ?? now, undoneAt: null };
    await tx.shopSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
    await enqueueTask(tx, shop, SYNC_KIND.undo, shop, now);
  });
}

/**
 * The app back on: the pause lifts, and every variant with backorder settings, every order
 * with waiting lines and the shop's shipping metafield are pushed again (after an undo
 * Shopify has none of it). Returns how many variants and orders were queued.
 */
export async function resumeApp(db: Db, shop: string, now = new Date()): Promise<{ variants: number; orders: number }> {
  return db.$transaction(
    async (tx) => {
      await tx.shopSettings.updateMany({ where: { shop }, data: { pausedAt: null } });
      await enqueueShopShipping(tx, shop, now);
      const [policies, waiting] = await Promise.all([
        tx.variantPolicy.findMany({ where: { shop }, select: { variantId: true } }),
        tx.backorderLine.groupBy({ by: ["orderId"], where: { shop, state: LINE_STATE.waiting } }),
      ]);
      const variants = await enqueueTasks(
        tx,
        shop,
        SYNC_KIND.variant,
        policies.map((p) => p.variantId),
        now,
      );
      const orders = await enqueueTasks(
        tx,
        shop,
        SYNC_KIND.order,
        waiting.map((o) => o.orderId),
        now,
      );
      // The Order status page's promises, deleted by the undo, written again.
      await enqueueTasks(
        tx,
        shop,
        SYNC_KIND.orderPromise,
        waiting.map((o) => o.orderId),
        now,
      );
      return { variants, orders };
    },
    { timeout: 30_000 },
  );
}
