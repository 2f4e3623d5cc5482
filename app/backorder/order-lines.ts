// A line's current quantities: the latest order snapshot, minus the deltas (refunds,
// fulfillments, edits) that arrived on their own and that snapshot does not yet include.
import { LINE_STATE, type LineState } from "./line-state.ts";

/** What an adjustment is (OrderAdjustment.kind, a String column). */
export const ADJUSTMENT_KIND = { refund: "refund", fulfillment: "fulfillment", edit: "edit" } as const;
export type AdjustmentKind = (typeof ADJUSTMENT_KIND)[keyof typeof ADJUSTMENT_KIND];

export interface Adjustment {
  kind: AdjustmentKind;
  id: string;
  lineItemId: string;
  quantity: number;
  occurredAt: Date;
}

export interface SnapshotRef {
  updatedAt: Date;
  refundIds: ReadonlySet<string>;
  fulfillmentIds: ReadonlySet<string>;
}

export function includedInSnapshot(a: Adjustment, s: SnapshotRef): boolean {
  switch (a.kind) {
    case ADJUSTMENT_KIND.refund:
      return s.refundIds.has(a.id);
    case ADJUSTMENT_KIND.fulfillment:
      return s.fulfillmentIds.has(a.id);
    case ADJUSTMENT_KIND.edit:
      // Edits carry no id in the order payload; the order's updated_at moves with every commit.
      return s.updatedAt.getTime() >= a.occurredAt.getTime();
  }
}

export interface LineQuantities {
  quantity: number;
  openQuantity: number;
}

export function effectiveQuantities(
  line: LineQuantities & { lineItemId: string },
  snapshot: SnapshotRef,
  adjustments: Adjustment[],
): LineQuantities {
  let { quantity, openQuantity } = line;
  for (const a of adjustments) {
    if (a.lineItemId !== line.lineItemId || includedInSnapshot(a, snapshot)) continue;
    if (a.kind === ADJUSTMENT_KIND.fulfillment) {
      openQuantity -= a.quantity;
    } else {
      // A refund or edit removal takes units off the order; they come off the open part.
      quantity -= a.quantity;
      openQuantity -= a.quantity;
    }
  }
  return { quantity: Math.max(0, quantity), openQuantity: Math.max(0, Math.min(openQuantity, Math.max(0, quantity))) };
}

export function lineState(args: { cancelled: boolean; quantity: number; openQuantity: number; waiting: number }): LineState {
  if (args.cancelled) return LINE_STATE.cancelled;
  if (args.openQuantity === 0) return args.quantity > 0 ? LINE_STATE.fulfilled : LINE_STATE.cancelled;
  return args.waiting > 0 ? LINE_STATE.waiting : LINE_STATE.allocated;
}
