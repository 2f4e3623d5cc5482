// Recomputes derived line state from stored facts: first an order's line quantities
// (snapshot minus pending deltas), then each affected variant's allocation.
import { allocate } from "../backorder/allocation.ts";
import {
  effectiveQuantities,
  lineState,
  type Adjustment,
  type AdjustmentKind,
  type SnapshotRef,
} from "../backorder/order-lines.ts";
import type { Prisma, Tx } from "../db/client.server.ts";
import { eachChunk } from "../db/chunks.ts";
import { enqueueFlowTriggers } from "../sync/flow-sync.server.ts";

// "pending": a line just created from an order, not yet derived (within the same transaction).
export const OPEN_STATES = ["pending", "waiting", "allocated"];

export function snapshotRef(s: { updatedAt: Date; refundIds: string; fulfillmentIds: string }): SnapshotRef {
  return {
    updatedAt: s.updatedAt,
    refundIds: new Set<string>(JSON.parse(s.refundIds) as string[]),
    fulfillmentIds: new Set<string>(JSON.parse(s.fulfillmentIds) as string[]),
  };
}

export async function loadAdjustments(tx: Tx, shop: string, orderId: string): Promise<Adjustment[]> {
  const rows = await tx.orderAdjustment.findMany({ where: { shop, orderId } });
  return rows.map((a) => ({
    kind: a.kind as AdjustmentKind,
    id: a.key.slice(a.key.indexOf(":") + 1),
    lineItemId: a.lineItemId,
    quantity: a.quantity,
    occurredAt: a.occurredAt,
  }));
}

/** Each line's adjustments, so a large order's lines are not each checked against all of them. */
export function adjustmentsByLine(adjustments: Adjustment[]): Map<string, Adjustment[]> {
  const byLine = new Map<string, Adjustment[]>();
  for (const a of adjustments) {
    const list = byLine.get(a.lineItemId);
    if (list) list.push(a);
    else byLine.set(a.lineItemId, [a]);
  }
  return byLine;
}

/** Applies the order's snapshot and pending adjustments to its lines; returns the variants touched. */
export async function recomputeOrderLines(tx: Tx, shop: string, orderId: string): Promise<string[]> {
  const snapshot = await tx.orderSnapshot.findUnique({ where: { shop_orderId: { shop, orderId } } });
  if (!snapshot) return []; // deltas wait for the order itself
  const [lines, adjustments] = await Promise.all([
    tx.backorderLine.findMany({
      where: { shop, orderId },
      select: { lineItemId: true, variantId: true, snapshotQuantity: true, snapshotOpenQuantity: true, quantity: true, openQuantity: true, cancelledAt: true },
    }),
    loadAdjustments(tx, shop, orderId),
  ]);
  const ref = snapshotRef(snapshot);
  const ofLine = adjustmentsByLine(adjustments);
  // Lines that change the same way are written together (a refund of a large order).
  const groups = new Map<string, { data: Prisma.BackorderLineUpdateManyMutationInput; ids: string[] }>();
  for (const line of lines) {
    const q = effectiveQuantities(
      { lineItemId: line.lineItemId, quantity: line.snapshotQuantity, openQuantity: line.snapshotOpenQuantity },
      ref,
      ofLine.get(line.lineItemId) ?? [],
    );
    if (q.quantity !== line.quantity || q.openQuantity !== line.openQuantity || line.cancelledAt?.getTime() !== snapshot.cancelledAt?.getTime()) {
      const data = { quantity: q.quantity, openQuantity: q.openQuantity, cancelledAt: snapshot.cancelledAt };
      const key = JSON.stringify(data);
      const group = groups.get(key) ?? { data, ids: [] as string[] };
      group.ids.push(line.lineItemId);
      groups.set(key, group);
    }
  }
  for (const { data, ids } of groups.values()) {
    await eachChunk(ids, (chunk) => tx.backorderLine.updateMany({ where: { shop, lineItemId: { in: chunk } }, data }));
  }
  return [...new Set(lines.map((l) => l.variantId))];
}

/**
 * Re-derives every live line of a variant: who is waiting (newest first get the
 * shortage), who is covered, who is done. Writes a LineEvent for each change.
 * `at` is the business time of the event that caused it (for wait-time metrics).
 */
export async function recomputeVariant(tx: Tx, shop: string, variantId: string, at: Date, reason: string): Promise<string[]> {
  const changes = await deriveVariant(tx, shop, variantId, at, reason);
  return writeDerivation(tx, shop, changes);
}

/** One line's derived change and its history entry. */
export interface LineChange {
  lineItemId: string;
  orderId: string;
  data: Prisma.BackorderLineUpdateManyMutationInput;
  history: { shop: string; lineItemId: string; at: Date; fromState: string | null; toState: string; waiting: number; reason: string };
}

/** What re-deriving the variant would change (reads only). */
export async function deriveVariant(tx: Tx, shop: string, variantId: string, at: Date, reason: string): Promise<LineChange[]> {
  const variant = await tx.variant.findUnique({ where: { shop_variantId: { shop, variantId } } });
  const [levels, lines] = await Promise.all([
    variant?.inventoryItemId
      ? tx.inventoryLevel.findMany({ where: { shop, inventoryItemId: variant.inventoryItemId } })
      : Promise.resolve([]),
    tx.backorderLine.findMany({
      where: { shop, variantId, OR: [{ state: { in: OPEN_STATES } }, { openQuantity: { gt: 0 }, cancelledAt: null }] },
      select: {
        lineItemId: true,
        orderId: true,
        orderedAt: true,
        quantity: true,
        openQuantity: true,
        waitingQuantity: true,
        cancelledAt: true,
        state: true,
        locationId: true,
        backorderedAt: true,
      },
    }),
  ]);
  const live = lines.filter((l) => l.cancelledAt === null && l.openQuantity > 0);
  const result = allocate(
    live.map((l) => ({ lineItemId: l.lineItemId, orderedAt: l.orderedAt, openQuantity: l.openQuantity, locationId: null })),
    levels.map((l) => ({ locationId: l.locationId, available: l.available, updatedAt: l.updatedAt })),
  );
  const changes: LineChange[] = [];
  for (const line of lines) {
    const alloc = result.lines.get(line.lineItemId);
    const waiting = line.cancelledAt === null ? (alloc?.waiting ?? 0) : 0;
    const state = lineState({
      cancelled: line.cancelledAt !== null,
      quantity: line.quantity,
      openQuantity: line.openQuantity,
      waiting,
    });
    const locationId = alloc?.locationId ?? line.locationId;
    if (state === line.state && waiting === line.waitingQuantity && locationId === line.locationId) continue;
    changes.push({
      lineItemId: line.lineItemId,
      orderId: line.orderId,
      data: {
        state,
        waitingQuantity: waiting,
        locationId,
        ...(waiting > 0 && !line.backorderedAt ? { backorderedAt: at } : {}),
        ...(state === "allocated" && line.state === "waiting" ? { allocatedAt: at } : {}),
        ...(state === "fulfilled" && line.state !== "fulfilled" ? { fulfilledAt: at } : {}),
      },
      history: { shop, lineItemId: line.lineItemId, at, fromState: line.state === "pending" ? null : line.state, toState: state, waiting, reason },
    });
  }
  return changes;
}

/**
 * Writes derived changes; returns the orders whose lines changed. Lines that change the
 * same way are written with one updateMany (a flash sale turns dozens of new lines
 * "waiting" at once); history goes in with one createMany. Any subset of a derivation may
 * be written on its own (a very large one is written in slices): each line's change is
 * independent of the others', and re-deriving finds whatever is not written yet.
 */
export async function writeDerivation(tx: Tx, shop: string, changes: LineChange[]): Promise<string[]> {
  const groups = new Map<string, { data: Prisma.BackorderLineUpdateManyMutationInput; ids: string[] }>();
  for (const c of changes) {
    const key = JSON.stringify(c.data);
    const group = groups.get(key) ?? { data: c.data, ids: [] as string[] };
    group.ids.push(c.lineItemId);
    groups.set(key, group);
  }
  for (const { data, ids } of groups.values()) {
    await eachChunk(ids, (chunk) => tx.backorderLine.updateMany({ where: { shop, lineItemId: { in: chunk } }, data }));
  }
  if (changes.length) await tx.lineEvent.createMany({ data: changes.map((c) => c.history) });
  // The Flow triggers these changes start commit with them (an outbox row each, sent by the sync).
  await enqueueFlowTriggers(
    tx,
    shop,
    changes.map((c) => ({
      lineItemId: c.lineItemId,
      fromState: c.history.fromState,
      toState: c.history.toState,
      firstBackordered: c.data.backorderedAt !== undefined,
      at: c.history.at,
    })),
  );
  return [...new Set(changes.map((c) => c.orderId))];
}
