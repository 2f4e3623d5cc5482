// Gathers what storefrontStatus() needs for variants from the database. The waiting
// units are the engine's own number (allocate().totalShortage over the same lines and
// levels recomputeVariant uses), so the storefront's "units ahead of you" is exactly the
// queue the admin sees, including units ordered after the newest inventory level.
import { allocate, unreflectedDemand } from "../backorder/allocation.ts";
import { calendarDate, todayIn } from "../backorder/eta.ts";
import { DERIVABLE_LINE_STATES } from "../backorder/line-state.ts";
import { DEFAULT_MESSAGE_TEMPLATE, type ShopFacts, type VariantFacts, type VariantPolicyFacts } from "../backorder/storefront-status.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";
import { incomingBatchesOf } from "./incoming-batches.server.ts";

// ShopSettings' schema defaults, for shops whose settings row does not exist yet.
export const DEFAULT_SHOP_FACTS: ShopFacts = {
  messageTemplate: DEFAULT_MESSAGE_TEMPLATE,
  defaultLeadTimeDays: 14,
  processingDays: 1,
};

/** The facts of many variants of one shop, in a few queries (the sync plans a batch at a time). */
export async function loadVariantsFacts(db: Db | Tx, shop: string, variantIds: string[], now: Date): Promise<Map<string, VariantFacts>> {
  const ids = [...new Set(variantIds)];
  const [variants, policyRows, settings, lineRows] = await Promise.all([
    inChunks(ids, (chunk) =>
      db.variant.findMany({ where: { shop, variantId: { in: chunk } }, select: { variantId: true, inventoryItemId: true } }),
    ),
    inChunks(ids, (chunk) => db.variantPolicy.findMany({ where: { shop, variantId: { in: chunk } } })),
    db.shopSettings.findUnique({ where: { shop } }),
    inChunks(ids, (chunk) =>
      db.backorderLine.findMany({
        where: { shop, variantId: { in: chunk }, state: { in: [...DERIVABLE_LINE_STATES] }, cancelledAt: null, openQuantity: { gt: 0 } },
        select: { variantId: true, lineItemId: true, orderedAt: true, openQuantity: true },
      }),
    ),
  ]);
  const itemOf = new Map(variants.filter((v) => v.inventoryItemId).map((v) => [v.variantId, v.inventoryItemId!]));
  const levelRows = await inChunks(new Set(itemOf.values()), (items) =>
    db.inventoryLevel.findMany({ where: { shop, inventoryItemId: { in: items } } }),
  );
  const policyOf = new Map(policyRows.map((p) => [p.variantId, p]));
  const shopFacts: ShopFacts = settings
    ? {
        messageTemplate: settings.messageTemplate,
        defaultLeadTimeDays: settings.defaultLeadTimeDays,
        processingDays: settings.processingDays,
      }
    : DEFAULT_SHOP_FACTS;
  const today = todayIn(settings?.timezone ?? "UTC", now);
  const batchesOf = await incomingBatchesOf(db, shop, ids, today);

  const levelsOf = groupBy(levelRows, (l) => l.inventoryItemId);
  const linesOf = groupBy(lineRows, (l) => l.variantId);

  const facts = new Map<string, VariantFacts>();
  for (const variantId of ids) {
    const item = itemOf.get(variantId);
    const levels = ((item && levelsOf.get(item)) || []).map((l) => ({
      locationId: l.locationId,
      available: l.available,
      updatedAt: l.updatedAt,
    }));
    const lines = (linesOf.get(variantId) ?? []).map((l) => ({
      lineItemId: l.lineItemId,
      orderedAt: l.orderedAt,
      openQuantity: l.openQuantity,
      locationId: null,
    }));
    const totalAvailable = levels.reduce((sum, l) => sum + l.available, 0);
    const row = policyOf.get(variantId);
    const policy: VariantPolicyFacts | null = row
      ? {
          enabled: row.enabled,
          maxBackorder: row.maxBackorder,
          restockDate: calendarDate(row.restockDate),
          incomingQuantity: row.incomingQuantity,
          leadTimeDays: row.leadTimeDays,
          message: row.message,
        }
      : null;
    facts.set(variantId, {
      // Orders newer than the newest level are not in `available` yet: count them, as the engine does.
      available: totalAvailable - unreflectedDemand(lines, levels),
      waitingUnits: allocate(lines, levels).totalShortage,
      policy,
      shop: shopFacts,
      today,
      batches: batchesOf.get(variantId),
    });
  }
  return facts;
}

export async function loadVariantFacts(db: Db | Tx, shop: string, variantId: string, now: Date): Promise<VariantFacts> {
  return (await loadVariantsFacts(db, shop, [variantId], now)).get(variantId)!;
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
