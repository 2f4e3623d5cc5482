// Which of two facts about the same thing wins. Webhooks arrive late, twice and out of
// order, and several processes apply them: the stored fact must be the one these rules
// pick from all that arrived, whatever the order. Each rule is a total order with ties
// settled (or harmless), so folding any shuffle of a stream, with duplicates, picks the
// same winner. The database applies the same rules in one conditional statement
// (app/engine/apply-event.server.ts): keep the two in step.
import type { Customer } from "./events.ts";
import { compareIds } from "./allocation.ts";
import { levelWins } from "./coalesce.ts";

export { levelWins };

type Timed = { updatedAt: Date };

/**
 * An order snapshot replaces the stored one unless the stored one is newer. The same
 * updated_at applies again: a redelivery of the stored snapshot (or a large order applied
 * again after a crash part-way) writes what is already there. Shopify moves an order's
 * updated_at with every change, so two different snapshots with one updated_at do not occur.
 */
export function snapshotWins(candidate: Timed, stored: Timed | null): boolean {
  return stored === null || candidate.updatedAt.getTime() >= stored.updatedAt.getTime();
}

/** A product's variant facts: the same rule as an order snapshot, by the product's updated_at. */
export const productWins: (candidate: Timed, stored: Timed | null) => boolean = snapshotWins;

/** An inventory level: newer updated_at, and within one second the lower available (levelWins). */
export function inventoryLevelWins(
  candidate: { updatedAt: Date; available: number },
  stored: { updatedAt: Date; available: number } | null,
): boolean {
  return stored === null || levelWins(candidate, stored);
}

/**
 * Where Shopify assigned part of a line: one fulfillment order's open units of it (its
 * remainingQuantity, 0 once it holds none) at that fulfillment order's location, as of `sourceAt`.
 * A line split over fulfillment orders has one fact per fulfillment order
 * (docs/decisions/0033-split-line-locations.md).
 */
export interface LineLocationFact {
  locationId: string;
  fulfillmentOrderId: string;
  quantity: number;
  /** The fulfillment order's updated_at when it was read. */
  sourceAt: Date;
}

/**
 * One fulfillment order's fact about a line: the newest read wins (a move updates both the
 * original and the new one); the same time, the lower quantity, then the higher location id, so
 * a replay in any order keeps the same fact. Facts of different fulfillment orders do not compete.
 */
export function linePartWins(candidate: LineLocationFact, stored: LineLocationFact | null): boolean {
  if (stored === null) return true;
  const t = candidate.sourceAt.getTime() - stored.sourceAt.getTime();
  if (t !== 0) return t > 0;
  if (candidate.quantity !== stored.quantity) return candidate.quantity < stored.quantity;
  return compareIds(candidate.locationId, stored.locationId) >= 0;
}

/**
 * The order of a line's parts, newest first: the newer fulfillment order, the same time the
 * higher fulfillment order id (the one a move created). Before split lines, the first of them
 * was the line's one location (decision 0021's lineLocationWins).
 */
export function lineLocationWins(candidate: LineLocationFact, stored: LineLocationFact | null): boolean {
  if (stored === null) return true;
  const t = candidate.sourceAt.getTime() - stored.sourceAt.getTime();
  if (t !== 0) return t > 0;
  return compareIds(candidate.fulfillmentOrderId, stored.fulfillmentOrderId) >= 0;
}

export interface LinePart {
  locationId: string;
  quantity: number;
}

/**
 * A line's location from its facts (one per fulfillment order, each its winner by linePartWins):
 * `assigned` is the newest part holding units (or, when none does, the newest fact's location),
 * `parts` the parts holding units, newest first, when there are two or more (null: the whole line is at
 * `assigned`, as with one fulfillment order).
 */
export function linePartsOf(facts: readonly LineLocationFact[]): { assigned: string | null; parts: LinePart[] | null } {
  const newestFirst = [...facts].sort((a, b) => (lineLocationWins(a, b) ? (lineLocationWins(b, a) ? 0 : -1) : 1));
  const open = newestFirst.filter((f) => f.quantity > 0);
  const assigned = (open[0] ?? newestFirst[0])?.locationId ?? null;
  return { assigned, parts: open.length > 1 ? open.map((f) => ({ locationId: f.locationId, quantity: f.quantity })) : null };
}

/** locationParts as stored on BackorderLine: [[locationId, quantity], ...] (null: none). */
export const encodeParts = (parts: readonly LinePart[] | null): string | null =>
  parts === null ? null : JSON.stringify(parts.map((p) => [p.locationId, p.quantity]));

export function decodeParts(json: string | null): LinePart[] | null {
  if (json === null) return null;
  return (JSON.parse(json) as [string, number][]).map(([locationId, quantity]) => ({ locationId, quantity }));
}

/**
 * The customer an order may keep: none once customers/redact erased it, whatever a later
 * (or late) orders/* webhook still carries, since Shopify keeps the customer on its side.
 */
export function customerToKeep(customer: Customer | null, redacted: boolean): Customer | null {
  return redacted ? null : customer;
}

/** The winner among facts about one thing, by one of the rules above (undefined for none). */
export function winnerOf<T>(facts: Iterable<T>, wins: (candidate: T, stored: T | null) => boolean): T | undefined {
  let best: T | undefined;
  for (const f of facts) if (best === undefined || wins(f, best)) best = f;
  return best;
}
