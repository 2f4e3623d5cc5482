// Shop defaults and the "sync problems" list (failed pushes to Shopify and webhook
// events the worker gave up on), with the merchant's retry.
import type { Db } from "../db/client.server.ts";
import { retryInboxEvents } from "../jobs/worker.server.ts";
import { enqueueSync } from "../sync/tasks.server.ts";
import { loadShopDefaults, type ShopDefaults } from "./shop-context.server.ts";
import { validateShopSettings, type ShopSettingsInput, type ShopSettingsResult } from "./shop-settings.ts";

export const PROBLEMS_SHOWN = 50;

export interface SyncProblems {
  tasks: { id: number; kind: string; targetId: string; attempts: number; lastError: string | null; updatedAt: string }[];
  taskCount: number;
  events: { id: number; topic: string; status: string; attempts: number; lastError: string | null; receivedAt: string }[];
  eventCount: number;
}

export const loadSettings = (client: Db, shop: string): Promise<ShopDefaults> => loadShopDefaults(client, shop);

/**
 * Saves the defaults. Template, lead time and processing days change what every
 * backorderable variant's storefront status says, so those variants are re-pushed.
 */
export async function saveSettings(client: Db, shop: string, input: ShopSettingsInput, now = new Date()): Promise<ShopSettingsResult & { resynced?: number }> {
  const result = validateShopSettings(input);
  if (!result.ok) return result;
  const before = await loadShopDefaults(client, shop);
  const v = result.values;
  const storefrontChanged =
    v.messageTemplate !== before.messageTemplate ||
    v.defaultLeadTimeDays !== before.defaultLeadTimeDays ||
    v.processingDays !== before.processingDays;
  const resynced = await client.$transaction(async (tx) => {
    await tx.shopSettings.upsert({ where: { shop }, create: { shop, ...v }, update: v });
    if (!storefrontChanged) return 0;
    const affected = await tx.variantPolicy.findMany({ where: { shop, OR: [{ enabled: true }, { autoEnable: true }] }, select: { variantId: true } });
    await enqueueSync(tx, shop, { variantIds: affected.map((a) => a.variantId) }, now);
    return affected.length;
  });
  return { ...result, resynced };
}

export async function loadSyncProblems(client: Db, shop: string): Promise<SyncProblems> {
  const taskWhere = { shop, status: "failed" };
  const eventWhere = { shop, status: { in: ["failed", "dead"] } };
  const [tasks, taskCount, events, eventCount] = await Promise.all([
    client.syncTask.findMany({ where: taskWhere, orderBy: [{ updatedAt: "desc" }, { id: "desc" }], take: PROBLEMS_SHOWN }),
    client.syncTask.count({ where: taskWhere }),
    client.webhookInbox.findMany({
      where: eventWhere,
      orderBy: { id: "desc" },
      take: PROBLEMS_SHOWN,
      select: { id: true, topic: true, status: true, attempts: true, lastError: true, receivedAt: true },
    }),
    client.webhookInbox.count({ where: eventWhere }),
  ]);
  return {
    tasks: tasks.map((t) => ({ id: t.id, kind: t.kind, targetId: t.targetId, attempts: t.attempts, lastError: t.lastError, updatedAt: t.updatedAt.toISOString() })),
    taskCount,
    events: events.map((e) => ({ ...e, receivedAt: e.receivedAt.toISOString() })),
    eventCount,
  };
}

/** Puts failed sync tasks back in line now (all of the shop's, or the given ones). */
export async function retrySyncTasks(client: Db, shop: string, ids?: number[], now = new Date()): Promise<number> {
  const r = await client.syncTask.updateMany({
    where: { shop, status: "failed", ...(ids ? { id: { in: ids } } : {}) },
    data: { status: "pending", attempts: 0, dueAt: now, lockedUntil: null },
  });
  return r.count;
}

export async function retryWebhookEvents(client: Db, shop: string, ids?: number[]): Promise<number> {
  return retryInboxEvents(client, shop, ids);
}
