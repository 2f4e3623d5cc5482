// Which fulfillment holds an order should carry, from its fulfillment orders as Shopify
// reports them and the units still waiting for stock. Pure: the sync reads Shopify,
// asks for a plan, carries out its steps and reads again.
//
// Shopify's rules the plan follows (fulfillmentOrderHold, Admin API 2026-10):
// - a hold with `fulfillmentOrderLineItems` holds only those units: Shopify splits the
//   fulfillment order, the held units in one, the rest in another that stays open;
// - line items cannot be given for a fulfillment order already on hold (another app's or the
//   merchant's hold): such an order can only be held whole (it ships nothing now anyway);
// - a hold cannot be released in part: to hold fewer units, release and hold again.

/** lines: only the backordered units; order: every fulfillment order of an order that waits; off: none. */
export const HOLD_MODE = { lines: "lines", order: "order", off: "off" } as const;
export type HoldMode = (typeof HOLD_MODE)[keyof typeof HOLD_MODE];
export const HOLD_MODES: readonly HoldMode[] = Object.values(HOLD_MODE);
/** ShopSettings.holdMode's schema default. */
export const DEFAULT_HOLD_MODE: HoldMode = HOLD_MODE.lines;
export const isHoldMode = (v: unknown): v is HoldMode => typeof v === "string" && (HOLD_MODES as readonly string[]).includes(v);

export interface PlanFulfillmentOrder {
  id: string;
  status: string;
  /** Holds on it; `ours` marks the app's own (its handle). */
  holds: { id: string; ours: boolean }[];
  lineItems: { id: string; lineItemId: string; remainingQuantity: number }[];
}

export type HoldStep =
  | { kind: "release"; fulfillmentOrderId: string; holdId: string }
  /** `lineItems` null: the whole fulfillment order. */
  | { kind: "hold"; fulfillmentOrderId: string; lineItems: { id: string; quantity: number }[] | null };

/** The values of Shopify's FulfillmentOrderStatus enum that the hold plan tells apart. */
export const FULFILLMENT_ORDER_STATUS = { open: "OPEN", onHold: "ON_HOLD", scheduled: "SCHEDULED" } as const;

/** Fulfillment orders a hold may be placed on (Shopify refuses the others). */
export const HOLDABLE_STATUSES: ReadonlySet<string> = new Set(Object.values(FULFILLMENT_ORDER_STATUS));

/**
 * The steps that bring the order to the wanted holds. Releases come first and alone: after
 * them the sync reads the order again (a release changes what can be split) and plans anew;
 * a plan without releases is the last one. `waiting`: line item id -> units waiting for stock.
 */
export function planHolds(
  mode: HoldMode,
  waiting: ReadonlyMap<string, number>,
  fulfillmentOrders: readonly PlanFulfillmentOrder[],
): HoldStep[] {
  const wantsAny = mode !== HOLD_MODE.off && [...waiting.values()].some((q) => q > 0);
  const ours = (fo: PlanFulfillmentOrder) => fo.holds.find((h) => h.ours);
  const hasWaiting = (fo: PlanFulfillmentOrder) =>
    fo.lineItems.some((l) => l.remainingQuantity > 0 && (waiting.get(l.lineItemId) ?? 0) > 0);

  if (!wantsAny) return fulfillmentOrders.flatMap((fo) => releaseOf(fo, ours(fo)));

  if (mode === HOLD_MODE.order) {
    // The whole order waits: every fulfillment order that still has something to ship.
    return fulfillmentOrders
      .filter((fo) => !ours(fo) && HOLDABLE_STATUSES.has(fo.status) && fo.lineItems.some((l) => l.remainingQuantity > 0))
      .map((fo) => ({ kind: "hold", fulfillmentOrderId: fo.id, lineItems: null }));
  }

  // Units still to cover per line item; the app's held fulfillment orders count first.
  const need = new Map(waiting);
  const take = (lineItemId: string, remaining: number) => {
    const n = Math.min(remaining, need.get(lineItemId) ?? 0);
    if (n > 0) need.set(lineItemId, (need.get(lineItemId) ?? 0) - n);
    return n;
  };
  const releases: HoldStep[] = [];
  // Fulfillment orders holding only waiting units come first, then those with only waiting
  // lines (more units than wait), then mixed ones: a mixed one held whole before is the one
  // released, and a hold lands where the least has to be split off.
  const fit = (fo: PlanFulfillmentOrder) => {
    const lines = fo.lineItems.filter((l) => l.remainingQuantity > 0);
    if (lines.every((l) => l.remainingQuantity <= (waiting.get(l.lineItemId) ?? 0))) return 0;
    return lines.every((l) => (waiting.get(l.lineItemId) ?? 0) > 0) ? 1 : 2;
  };
  const byFit = (list: PlanFulfillmentOrder[]) => [0, 1, 2].flatMap((rank) => list.filter((fo) => fit(fo) === rank));
  for (const fo of byFit(fulfillmentOrders.filter((f) => ours(f)))) {
    const hold = ours(fo)!;
    const covered = fo.lineItems.map((l) => ({ l, n: take(l.lineItemId, l.remainingQuantity) }));
    // Held units nobody waits for would keep in-stock items from shipping: release, hold again
    // smaller. Not when someone else holds it too (it would not ship anyway), unless none waits.
    const otherHolds = fo.holds.some((h) => !h.ours);
    const noneWaits = covered.every(({ n }) => n === 0);
    if (noneWaits || (!otherHolds && covered.some(({ l, n }) => n < l.remainingQuantity))) {
      releases.push({ kind: "release", fulfillmentOrderId: fo.id, holdId: hold.id });
      for (const { l, n } of covered) need.set(l.lineItemId, (need.get(l.lineItemId) ?? 0) + n);
    }
  }
  if (releases.length) return releases;

  const holds: HoldStep[] = [];
  for (const fo of byFit(fulfillmentOrders.filter((f) => !ours(f) && HOLDABLE_STATUSES.has(f.status) && hasWaiting(f)))) {
    const items = fo.lineItems.map((l) => ({
      id: l.id,
      remaining: l.remainingQuantity,
      quantity: take(l.lineItemId, l.remainingQuantity),
    }));
    const units = items.filter((i) => i.quantity > 0);
    if (!units.length) continue;
    const whole = items.every((i) => i.quantity === i.remaining);
    // Already held by someone else: Shopify cannot split it, and it ships nothing now anyway.
    const onHold = fo.status === FULFILLMENT_ORDER_STATUS.onHold || fo.holds.length > 0;
    holds.push({
      kind: "hold",
      fulfillmentOrderId: fo.id,
      lineItems: whole || onHold ? null : units.map((i) => ({ id: i.id, quantity: i.quantity })),
    });
  }
  return holds;
}

function releaseOf(fo: PlanFulfillmentOrder, hold: { id: string } | undefined): HoldStep[] {
  return hold ? [{ kind: "release", fulfillmentOrderId: fo.id, holdId: hold.id }] : [];
}
