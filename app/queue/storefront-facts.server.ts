// Gathers what storefrontStatus() needs for one variant from the database. The waiting
// units are the engine's own number (allocate().totalShortage over the same lines and
// levels recomputeVariant uses), so the storefront's "units ahead of you" is exactly the
// queue the admin sees, including units ordered after the newest inventory level.
import { allocate, unreflectedDemand } from "../backorder/allocation.ts";
import { calendarDate, todayIn } from "../backorder/eta.ts";
import { DEFAULT_MESSAGE_TEMPLATE, type ShopFacts, type VariantFacts, type VariantPolicyFacts } from "../backorder/storefront-status.ts";
import type { Db, Tx } from "../db/client.server.ts";

// ShopSettings' schema defaults, for shops whose settings row does not exist yet.
export const DEFAULT_SHOP_FACTS: ShopFacts = {
  messageTemplate: DEFAULT_MESSAGE_TEMPLATE,
  defaultLeadTimeDays: 14,
  processingDays: 1,
};

const OPEN_STATES = ["pending", "waiting", "allocated"];

export async function loadVariantFacts(db: Db | Tx, shop: string, variantId: string, now: Date): Promise<VariantFacts> {
  const [variant, policyRow, settings] = await Promise.all([
    db.variant.findUnique({ where: { shop_variantId: { shop, variantId } } }),
    db.variantPolicy.findUnique({ where: { shop_variantId: { shop, variantId } } }),
    db.shopSettings.findUnique({ where: { shop } }),
  ]);
  const [levelRows, lineRows] = await Promise.all([
    variant?.inventoryItemId
      ? db.inventoryLevel.findMany({ where: { shop, inventoryItemId: variant.inventoryItemId } })
      : Promise.resolve([]),
    db.backorderLine.findMany({
      where: { shop, variantId, state: { in: OPEN_STATES }, cancelledAt: null, openQuantity: { gt: 0 } },
      select: { lineItemId: true, orderedAt: true, openQuantity: true },
    }),
  ]);
  const levels = levelRows.map((l) => ({ locationId: l.locationId, available: l.available, updatedAt: l.updatedAt }));
  const lines = lineRows.map((l) => ({ ...l, locationId: null }));
  const totalAvailable = levels.reduce((sum, l) => sum + l.available, 0);

  const policy: VariantPolicyFacts | null = policyRow
    ? {
        enabled: policyRow.enabled,
        maxBackorder: policyRow.maxBackorder,
        restockDate: calendarDate(policyRow.restockDate),
        incomingQuantity: policyRow.incomingQuantity,
        leadTimeDays: policyRow.leadTimeDays,
        message: policyRow.message,
      }
    : null;

  return {
    // Orders newer than the newest level are not in `available` yet: count them, as the engine does.
    available: totalAvailable - unreflectedDemand(lines, levels),
    waitingUnits: allocate(lines, levels).totalShortage,
    policy,
    shop: settings
      ? {
          messageTemplate: settings.messageTemplate,
          defaultLeadTimeDays: settings.defaultLeadTimeDays,
          processingDays: settings.processingDays,
        }
      : DEFAULT_SHOP_FACTS,
    today: todayIn(settings?.timezone ?? "UTC", now),
  };
}
