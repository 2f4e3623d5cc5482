// Shop defaults and the "sync problems" list (failed pushes to Shopify and webhook
// events the worker gave up on or rejected), with the merchant's retry of events (failed pushes are
// retried by the sync's own retryFailedSyncTasks, which the settings route calls).
import type { Db } from "../db/client.server.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { STOPPED_INBOX_STATUSES } from "../inbox/inbox-status.ts";
import { SYNC_KIND } from "../sync/task-kind.ts";
import { SYNC_TASK_STATUS } from "../sync/task-status.ts";
import { retryInboxEvents } from "../worker/worker.server.ts";
import { enqueueShopShipping } from "../sync/shop-sync.server.ts";
import { enqueueCollectionRefresh, enqueueTasks } from "../sync/tasks.server.ts";
import { loadShopDefaults, type ShopDefaults } from "./shop-context.server.ts";
import { validateShopSettings, type ShopSettingsInput, type ShopSettingsResult } from "./shop-settings.ts";

export const PROBLEMS_SHOWN = 50;

export interface SyncProblems {
  tasks: { id: number; kind: string; targetId: string; attempts: number; lastError: string | null; updatedAt: string }[];
  taskCount: number;
  events: { id: number; topic: string; status: string; attempts: number; lastError: string | null; receivedAt: string }[];
  eventCount: number;
  /** Holds the app placed whose release Shopify refused: kept until a release succeeds. */
  holds: { fulfillmentOrderId: string; orderId: string; releaseError: string }[];
  holdCount: number;
}

export const loadSettings = (client: Db, shop: string): Promise<ShopDefaults> => loadShopDefaults(client, shop);

/**
 * Saves the defaults. Template, lead time and processing days change what every
 * backorderable variant's storefront status says, so those variants are re-pushed;
 * the order tag and the fulfillment hold change what orders carry in Shopify, so the
 * orders with waiting lines and those the app has tagged or held are re-pushed.
 * With an auto-enable collection (or one just cleared), its products are read from
 * Shopify again: saving is also how the merchant picks up membership changes.
 */
export async function saveSettings(
  client: Db,
  shop: string,
  input: ShopSettingsInput,
  now = new Date(),
): Promise<ShopSettingsResult & { resynced?: number; ordersResynced?: number; collectionRefresh?: boolean }> {
  const result = validateShopSettings(input);
  if (!result.ok) return result;
  const before = await loadShopDefaults(client, shop);
  const v = result.values;
  const storefrontChanged =
    v.messageTemplate !== before.messageTemplate ||
    v.defaultLeadTimeDays !== before.defaultLeadTimeDays ||
    v.processingDays !== before.processingDays;
  const tagChanged = v.orderTag !== before.orderTag.trim();
  const ordersChanged = tagChanged || v.holdMode !== before.holdMode;
  const collectionRefresh = v.autoEnableCollectionId !== null || before.autoEnableCollectionId !== null;
  const counts = await client.$transaction(
    async (tx) => {
      await tx.shopSettings.upsert({ where: { shop }, create: { shop, ...v }, update: v });
      let resynced = 0;
      if (storefrontChanged) {
        const affected = await tx.variantPolicy.findMany({
          where: { shop, OR: [{ enabled: true }, { autoEnable: true }] },
          select: { variantId: true },
        });
        await enqueueTasks(
          tx,
          shop,
          SYNC_KIND.variant,
          affected.map((a) => a.variantId),
          now,
        );
        resynced = affected.length;
      }
      let ordersResynced = 0;
      if (ordersChanged) {
        // Orders tagged before the tag was recorded carry the old one: record it, so the push can remove it.
        if (tagChanged)
          await tx.syncedOrder.updateMany({ where: { shop, tagged: true, tag: null }, data: { tag: before.orderTag.trim() } });
        const [waiting, tagged, held] = await Promise.all([
          tx.backorderLine.groupBy({ by: ["orderId"], where: { shop, state: LINE_STATE.waiting } }),
          tx.syncedOrder.findMany({ where: { shop, tagged: true }, select: { orderId: true } }),
          tx.orderHold.groupBy({ by: ["orderId"], where: { shop } }),
        ]);
        ordersResynced = await enqueueTasks(
          tx,
          shop,
          SYNC_KIND.order,
          [...waiting, ...tagged, ...held].map((o) => o.orderId),
          now,
        );
      }
      if (collectionRefresh) await enqueueCollectionRefresh(tx, shop, now);
      // The cart notice says whether in-stock items ship first: the shop metafield follows the mode.
      if (v.holdMode !== before.holdMode) await enqueueShopShipping(tx, shop, now);
      return { resynced, ordersResynced, collectionRefresh };
    },
    // A shop with thousands of variants or waiting orders: the enqueue is batched, but give it room.
    { timeout: 30_000 },
  );
  return { ...result, ...counts };
}

export async function loadSyncProblems(client: Db, shop: string): Promise<SyncProblems> {
  const taskWhere = { shop, status: SYNC_TASK_STATUS.failed };
  // Retrying (failed), given up (dead) and refused as unusable (rejected): each with its reason.
  const eventWhere = { shop, status: { in: [...STOPPED_INBOX_STATUSES] } };
  const holdWhere = { shop, releaseError: { not: null } };
  const [tasks, taskCount, events, eventCount, holds, holdCount] = await Promise.all([
    client.syncTask.findMany({ where: taskWhere, orderBy: [{ updatedAt: "desc" }, { id: "desc" }], take: PROBLEMS_SHOWN }),
    client.syncTask.count({ where: taskWhere }),
    client.webhookInbox.findMany({
      where: eventWhere,
      orderBy: { id: "desc" },
      take: PROBLEMS_SHOWN,
      select: { id: true, topic: true, status: true, attempts: true, lastError: true, receivedAt: true },
    }),
    client.webhookInbox.count({ where: eventWhere }),
    client.orderHold.findMany({ where: holdWhere, orderBy: [{ orderId: "asc" }, { fulfillmentOrderId: "asc" }], take: PROBLEMS_SHOWN }),
    client.orderHold.count({ where: holdWhere }),
  ]);
  return {
    tasks: tasks.map((t) => ({
      id: t.id,
      kind: t.kind,
      targetId: t.targetId,
      attempts: t.attempts,
      lastError: t.lastError,
      updatedAt: t.updatedAt.toISOString(),
    })),
    taskCount,
    events: events.map((e) => ({ ...e, receivedAt: e.receivedAt.toISOString() })),
    eventCount,
    holds: holds.map((h) => ({ fulfillmentOrderId: h.fulfillmentOrderId, orderId: h.orderId, releaseError: h.releaseError ?? "" })),
    holdCount,
  };
}

/** Retries the releases Shopify refused: the orders are pushed again (the push releases what is no longer wanted). */
export async function retryHoldReleases(client: Db, shop: string, now = new Date()): Promise<number> {
  const orders = await client.orderHold.groupBy({ by: ["orderId"], where: { shop, releaseError: { not: null } } });
  return client.$transaction((tx) =>
    enqueueTasks(
      tx,
      shop,
      SYNC_KIND.order,
      orders.map((o) => o.orderId),
      now,
    ),
  );
}

export async function retryWebhookEvents(client: Db, shop: string, ids?: number[]): Promise<number> {
  return retryInboxEvents(client, shop, ids);
}
