// Gathers what storefrontStatus() needs for variants from the database. The waiting
// units are the engine's own number (allocate().totalShortage over the same lines and
// levels recomputeVariant uses), so the storefront's "units ahead of you" is exactly the
// queue the admin sees, including units ordered after the newest inventory level. That
// number depends on the lines only through the units ordered after the newest level
// (totalShortageOf), so only those are summed, in the database: the cost does not grow
// with the queue.
import { piecesOf, placedAt, totalShortageOf } from "../backorder/allocation.ts";
import { decodeParts } from "../backorder/fact-rules.ts";
import { calendarDate, todayIn } from "../backorder/eta.ts";
import { DERIVABLE_LINE_STATES } from "../backorder/line-state.ts";
import { DEFAULT_MESSAGE_TEMPLATE, type ShopFacts, type VariantFacts, type VariantPolicyFacts } from "../backorder/storefront-status.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";
import { incomingBatchesOf } from "./incoming-batches.server.ts";
import { hasLocatedBatch } from "../backorder/located-eta.ts";
import { waitingQueuesOf } from "./located-queue.server.ts";

// ShopSettings' schema defaults, for shops whose settings row does not exist yet.
export const DEFAULT_SHOP_FACTS: ShopFacts = {
  messageTemplate: DEFAULT_MESSAGE_TEMPLATE,
  defaultLeadTimeDays: 14,
  processingDays: 1,
};

/** The facts of many variants of one shop, in a few queries (the sync plans a batch at a time). */
export async function loadVariantsFacts(db: Db | Tx, shop: string, variantIds: string[], now: Date): Promise<Map<string, VariantFacts>> {
  const ids = [...new Set(variantIds)];
  const [variants, policyRows, settings] = await Promise.all([
    inChunks(ids, (chunk) =>
      db.variant.findMany({ where: { shop, variantId: { in: chunk } }, select: { variantId: true, inventoryItemId: true } }),
    ),
    inChunks(ids, (chunk) => db.variantPolicy.findMany({ where: { shop, variantId: { in: chunk } } })),
    db.shopSettings.findUnique({ where: { shop } }),
  ]);
  const itemOf = new Map(variants.filter((v) => v.inventoryItemId).map((v) => [v.variantId, v.inventoryItemId!]));
  const levelRows = await inChunks(new Set(itemOf.values()), (items) =>
    db.inventoryLevel.findMany({ where: { shop, inventoryItemId: { in: items } } }),
  );
  const levelsOf = groupBy(levelRows, (l) => l.inventoryItemId);
  const unreflected = await unreflectedUnits(db, shop, ids, (v) => (itemOf.has(v) ? levelsOf.get(itemOf.get(v)!) : undefined));
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
  // Only variants with a batch at a location read their queue (storefront-status.ts).
  const located = ids.filter((id) => hasLocatedBatch(batchesOf.get(id)));
  const queues = located.length > 0 ? await waitingQueuesOf(db, shop, located) : new Map();

  const facts = new Map<string, VariantFacts>();
  for (const variantId of ids) {
    const item = itemOf.get(variantId);
    const levels = ((item && levelsOf.get(item)) || []).map((l) => ({
      locationId: l.locationId,
      available: l.available,
      updatedAt: l.updatedAt,
    }));
    // Placed lines' units are charged to their own location, the rest where stock is lowest (allocation.ts).
    let extra = 0;
    const placed = new Map<string, number>();
    const add = (at: string | null, units: number) => {
      if (at === null) extra += units;
      else placed.set(at, (placed.get(at) ?? 0) + units);
    };
    const mine = unreflected.get(variantId);
    for (const [assigned, units] of mine?.sums ?? []) add(placedAt({ locationId: assigned }, levels), units);
    // Split lines (decision 0033): each part's units at its own location.
    for (const line of mine?.split ?? []) for (const piece of piecesOf(line, levels)) add(piece.at, piece.units);
    const unreflectedTotal = extra + [...placed.values()].reduce((a, b) => a + b, 0);
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
      available: totalAvailable - unreflectedTotal,
      waitingUnits: totalShortageOf(levels, extra, placed),
      policy,
      shop: shopFacts,
      today,
      batches: batchesOf.get(variantId),
      ...(hasLocatedBatch(batchesOf.get(variantId)) ? { queue: queues.get(variantId) ?? [] } : {}),
    });
  }
  return facts;
}

/**
 * Per variant and assigned location (null: none), the open units of its live lines ordered
 * after its newest level (allocation.ts, unreflectedByLocation), summed in the database: one
 * grouped statement per chunk of variants, each condition a range of the (shop, variantId, state, orderedAt) index.
 * Lines split over several locations (decision 0033; few) are read as rows, their parts placed by piecesOf.
 */
async function unreflectedUnits(
  db: Db | Tx,
  shop: string,
  variantIds: string[],
  levelsOf: (variantId: string) => { updatedAt: Date }[] | undefined,
): Promise<Map<string, UnreflectedOf>> {
  const since = variantIds.flatMap((variantId) => {
    const levels = levelsOf(variantId);
    if (!levels?.length) return []; // no level: nothing is "after" it (unreflectedDemand is 0)
    return [{ variantId, orderedAt: { gt: new Date(Math.max(...levels.map((l) => l.updatedAt.getTime()))) } }];
  });
  const live = { shop, state: { in: [...DERIVABLE_LINE_STATES] }, cancelledAt: null, openQuantity: { gt: 0 } };
  const [sums, splitRows] = await Promise.all([
    inChunks(
      since,
      (chunk) =>
        db.backorderLine.groupBy({
          by: ["variantId", "assignedLocationId"],
          where: { ...live, locationParts: null, OR: chunk },
          _sum: { openQuantity: true },
        }),
      200,
    ),
    inChunks(
      since,
      (chunk) =>
        db.backorderLine.findMany({
          where: { ...live, locationParts: { not: null }, OR: chunk },
          select: { variantId: true, openQuantity: true, assignedLocationId: true, locationParts: true },
        }),
      200,
    ),
  ]);
  const byVariant = new Map<string, UnreflectedOf>();
  const of = (variantId: string) => {
    const u = byVariant.get(variantId) ?? { sums: new Map<string | null, number>(), split: [] };
    byVariant.set(variantId, u);
    return u;
  };
  for (const g of sums) {
    const u = of(g.variantId);
    u.sums.set(g.assignedLocationId, (u.sums.get(g.assignedLocationId) ?? 0) + (g._sum.openQuantity ?? 0));
  }
  for (const r of splitRows)
    of(r.variantId).split.push({ openQuantity: r.openQuantity, locationId: r.assignedLocationId, parts: decodeParts(r.locationParts) });
  return byVariant;
}

interface UnreflectedOf {
  sums: Map<string | null, number>;
  split: { openQuantity: number; locationId: string | null; parts: ReturnType<typeof decodeParts> }[];
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
