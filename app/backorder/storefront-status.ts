import { shipDateForUnit, type IncomingUnits, type RestockPlan } from "./eta.ts";
import { hasLocatedBatch, queueShipDates, type QueuedLine } from "./located-eta.ts";

// Contract between the engine, the Admin API sync and the theme app extension:
// what one variant's `$app.backorder_status` metafield holds. The theme renders
// from it with Liquid alone (no request to the app per page view).
//
// storefrontStatus() computes it; the Admin API sync (app/sync/variant-sync.server.ts)
// publishes its result. Keep the JSON small: it is read on every product page.

/**
 * The app-owned variant metafield. Its definition is declared in shopify.app.toml as
 * `[variant.metafields.app.backorder_status]` (storefront `public_read`): TOML declares
 * definitions only in the bare `$app` namespace, hence no `$app:backorder` sub-namespace.
 * The theme reads it as `variant.metafields['$app'].backorder_status.value`.
 * See docs/decisions/0004-storefront-metafield.md.
 */
export const STOREFRONT_METAFIELD = {
  namespace: "$app",
  key: "backorder_status",
  type: "json",
} as const;

export interface StorefrontStatus {
  v: 1;
  /** in_stock: show nothing; backorder: "Available for backorder — ships ~eta"; sold_out: limit reached or disabled while out of stock. */
  state: "in_stock" | "backorder" | "sold_out";
  /** Promised ship date for the next unit sold, YYYY-MM-DD in the shop's time zone; null when unknown. */
  eta: string | null;
  /** Units that can still be backordered before the limit; null = no limit. */
  remaining: number | null;
  /** Merchant's message override for this variant, if any. */
  message: string | null;
}

export interface VariantPolicyFacts {
  enabled: boolean;
  maxBackorder: number | null;
  /** YYYY-MM-DD */
  restockDate: string | null;
  incomingQuantity: number | null;
  leadTimeDays: number | null;
  message: string | null;
}

export interface ShopFacts {
  messageTemplate: string;
  defaultLeadTimeDays: number;
  processingDays: number;
}

export interface VariantFacts {
  /** Shopify `available` summed over locations; negative = units sold beyond stock. */
  available: number;
  /** Units already waiting (Σ over locations of max(0, -available)): the queue ahead of a new order. */
  waitingUnits: number;
  policy: VariantPolicyFacts | null;
  shop: ShopFacts;
  /** YYYY-MM-DD, today in the shop's time zone. */
  today: string;
  /** The variant's incoming batches (IncomingBatch); absent = none. */
  batches?: readonly IncomingUnits[];
  /** The waiting lines, given when a batch names a location (the next unit's date then depends on where each waits). */
  queue?: readonly QueuedLine[];
}

/** ShopSettings.messageTemplate's default; the theme's own (translated) text is used while the shop keeps it. */
export const DEFAULT_MESSAGE_TEMPLATE = "Available for backorder — ships ~{date}";

/** The plan that dates this variant's queue: the variant's restock facts over the shop's defaults. */
export function restockPlanOf(facts: {
  policy: Pick<VariantPolicyFacts, "restockDate" | "incomingQuantity" | "leadTimeDays"> | null;
  shop: Pick<ShopFacts, "defaultLeadTimeDays" | "processingDays">;
  today: string;
  batches?: readonly IncomingUnits[];
}): RestockPlan {
  return {
    batches: facts.batches ?? [],
    restockDate: facts.policy?.restockDate ?? null,
    incomingQuantity: facts.policy?.incomingQuantity ?? null,
    leadTimeDays: facts.policy?.leadTimeDays ?? facts.shop.defaultLeadTimeDays,
    processingDays: facts.shop.processingDays,
    today: facts.today,
  };
}

/**
 * What the storefront says about the next unit of a variant:
 * - stock left (available > 0): in_stock, nothing shown;
 * - out of stock, backorders off (or no policy): sold_out;
 * - out of stock, limit reached (waiting units >= maxBackorder): sold_out, remaining 0;
 * - otherwise backorder, eta = ship date of unit waitingUnits + 1 (see eta.ts); when a batch
 *   names a location, of one more unplaced unit behind the queue (located-eta.ts).
 * message: the variant's own text, else the shop's template when the merchant changed it
 * (null lets the theme block use its translated default).
 */
export function storefrontStatus(facts: VariantFacts): StorefrontStatus {
  const policy = facts.policy;
  const waiting = Math.max(0, facts.waitingUnits);
  const customTemplate =
    facts.shop.messageTemplate.trim() && facts.shop.messageTemplate !== DEFAULT_MESSAGE_TEMPLATE ? facts.shop.messageTemplate : null;
  const message = policy?.message?.trim() ? policy.message : customTemplate;
  const remaining = policy?.maxBackorder == null ? null : Math.max(0, policy.maxBackorder - waiting);

  if (facts.available > 0) return { v: 1, state: "in_stock", eta: null, remaining, message: null };
  if (!policy?.enabled) return { v: 1, state: "sold_out", eta: null, remaining: 0, message: null };
  if (remaining === 0) return { v: 1, state: "sold_out", eta: null, remaining: 0, message: null };
  return { v: 1, state: "backorder", eta: nextUnitShipDate(facts, waiting), remaining, message };
}

function nextUnitShipDate(facts: VariantFacts, waiting: number): string | null {
  const plan = restockPlanOf(facts);
  if (!facts.queue || !hasLocatedBatch(facts.batches)) return shipDateForUnit(waiting + 1, plan);
  // Units short that no line accounts for (orders from before install, or not yet
  // reflected) wait ahead of everyone, unplaced, as the allocation counts them.
  const inLines = facts.queue.reduce((sum, l) => sum + Math.max(0, l.waitingQuantity), 0);
  const untracked: QueuedLine[] =
    waiting > inLines
      ? [{ lineItemId: "", orderedAt: new Date(0), waitingQuantity: waiting - inLines, locationId: null, placed: false }]
      : [];
  return queueShipDates([...untracked, ...facts.queue], plan).next;
}
