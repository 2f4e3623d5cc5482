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

/** Where Shopify assigned a line: the location of the fulfillment order holding its open units, as of `sourceAt`. */
export interface LineLocationFact {
  locationId: string;
  fulfillmentOrderId: string;
  /** The fulfillment order's updated_at when it was read. */
  sourceAt: Date;
}

/**
 * A line's location: the newest fulfillment order wins (a move updates both the original and
 * the new one); same time, the higher fulfillment order id (the one a move created), so a
 * replay in any order keeps the same location.
 */
export function lineLocationWins(candidate: LineLocationFact, stored: LineLocationFact | null): boolean {
  if (stored === null) return true;
  const t = candidate.sourceAt.getTime() - stored.sourceAt.getTime();
  if (t !== 0) return t > 0;
  return compareIds(candidate.fulfillmentOrderId, stored.fulfillmentOrderId) >= 0;
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
