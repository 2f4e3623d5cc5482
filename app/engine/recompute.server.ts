// Recomputes derived line state from stored facts: first an order's line quantities
// (snapshot minus pending deltas), then each affected variant's allocation.
import { allocate, encodeWaitingParts, fifoCompare } from "../backorder/allocation.ts";
import {
  aheadSize,
  allocateBounded,
  readerAhead,
  stateAhead,
  type LineReader,
  type NewAllocation,
  type StoredLine,
} from "../backorder/bounded-allocation.ts";
import { decodeParts } from "../backorder/fact-rules.ts";
import {
  DERIVABLE_LINE_STATES,
  isDerivableLineState,
  LINE_STATE,
  PENDING_LINE_STATE,
  STORED_LINE_STATES,
} from "../backorder/line-state.ts";
import { effectiveQuantities, lineState, type Adjustment, type AdjustmentKind, type SnapshotRef } from "../backorder/order-lines.ts";
import type { Prisma, Tx } from "../db/client.server.ts";
import { chunks, eachChunk, inChunks } from "../db/chunks.ts";
import { dialectOf } from "../db/dialect.ts";
import { SqlParams } from "../db/sql-params.ts";
import { jsonRows, valuesList } from "../db/values-list.ts";
import { enqueueFlowTriggers } from "../sync/flow-sync.server.ts";
import { enqueueReadyEmails } from "../email/outbox.server.ts";
import type { NewLine, NewLines } from "./new-lines.server.ts";

/** A line that a derivation reads: in an open state, or live (open units, not cancelled). */
export const OPEN_OR_LIVE = { OR: [{ state: { in: [...DERIVABLE_LINE_STATES] } }, { openQuantity: { gt: 0 }, cancelledAt: null }] };

export function snapshotRef(s: { updatedAt: Date; refundIds: string; fulfillmentIds: string }): SnapshotRef {
  return {
    updatedAt: s.updatedAt,
    refundIds: new Set<string>(JSON.parse(s.refundIds) as string[]),
    fulfillmentIds: new Set<string>(JSON.parse(s.fulfillmentIds) as string[]),
  };
}

export async function loadAdjustments(tx: Tx, shop: string, orderId: string): Promise<Adjustment[]> {
  return (await loadOrdersAdjustments(tx, shop, [orderId])).get(orderId) ?? [];
}

/** The recorded adjustments of several orders in one query (a chunk of the inbox), by order. */
export async function loadOrdersAdjustments(tx: Tx, shop: string, orderIds: string[]): Promise<Map<string, Adjustment[]>> {
  const rows = await inChunks(orderIds, (ids) =>
    tx.orderAdjustment.findMany({ where: { shop, orderId: ids.length === 1 ? ids[0]! : { in: ids } } }),
  );
  const byOrder = new Map<string, Adjustment[]>();
  for (const a of rows) {
    const list = byOrder.get(a.orderId) ?? [];
    list.push({
      kind: a.kind as AdjustmentKind,
      id: a.key.slice(a.key.indexOf(":") + 1),
      lineItemId: a.lineItemId,
      quantity: a.quantity,
      occurredAt: a.occurredAt,
    });
    byOrder.set(a.orderId, list);
  }
  return byOrder;
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

/** Applies the order's snapshot and pending adjustments to its lines; returns the variants touched; adds the lines changed to `touched`. */
export async function recomputeOrderLines(tx: Tx, shop: string, orderId: string, touched?: Set<string>): Promise<string[]> {
  const snapshot = await tx.orderSnapshot.findUnique({ where: { shop_orderId: { shop, orderId } } });
  if (!snapshot) return []; // deltas wait for the order itself
  const [lines, adjustments] = await Promise.all([
    tx.backorderLine.findMany({
      where: { shop, orderId },
      select: {
        lineItemId: true,
        variantId: true,
        snapshotQuantity: true,
        snapshotOpenQuantity: true,
        quantity: true,
        openQuantity: true,
        cancelledAt: true,
      },
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
    if (
      q.quantity !== line.quantity ||
      q.openQuantity !== line.openQuantity ||
      line.cancelledAt?.getTime() !== snapshot.cancelledAt?.getTime()
    ) {
      const data = { quantity: q.quantity, openQuantity: q.openQuantity, cancelledAt: snapshot.cancelledAt };
      const key = JSON.stringify(data);
      const group = groups.get(key) ?? { data, ids: [] as string[] };
      group.ids.push(line.lineItemId);
      groups.set(key, group);
      touched?.add(line.lineItemId);
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
export async function recomputeVariant(
  tx: Tx,
  shop: string,
  variantId: string,
  at: Date,
  reason: string,
  touched?: ReadonlySet<string>,
): Promise<string[]> {
  // A small variant is read whole in one query (cheaper than the bounded reads); a large one is bounded.
  const changes = touched
    ? ((await deriveVariant(tx, shop, variantId, at, reason, SMALL_VARIANT_LINES)) ??
      (await deriveVariantBounded(tx, shop, variantId, at, reason, touched)))
    : await deriveVariant(tx, shop, variantId, at, reason);
  return writeDerivation(tx, shop, changes);
}

/** One line's derived change and its history entry. */
export interface LineChange {
  lineItemId: string;
  orderId: string;
  data: Prisma.BackorderLineUpdateManyMutationInput;
  history: { shop: string; lineItemId: string; at: Date; fromState: string | null; toState: string; waiting: number; reason: string };
}

/** Up to this many lines a variant is derived whole: about the cost of the bounded derivation's dozen small queries. */
export const SMALL_VARIANT_LINES = 256;

/** What re-deriving the variant would change (reads only); null when it has more than `limit` lines to read. */
export async function deriveVariant(tx: Tx, shop: string, variantId: string, at: Date, reason: string): Promise<LineChange[]>;
export async function deriveVariant(
  tx: Tx,
  shop: string,
  variantId: string,
  at: Date,
  reason: string,
  limit: number,
): Promise<LineChange[] | null>;
export async function deriveVariant(
  tx: Tx,
  shop: string,
  variantId: string,
  at: Date,
  reason: string,
  limit?: number,
): Promise<LineChange[] | null> {
  const variant = await tx.variant.findUnique({ where: { shop_variantId: { shop, variantId } } });
  const [levels, lines] = await Promise.all([
    variant?.inventoryItemId
      ? tx.inventoryLevel.findMany({ where: { shop, inventoryItemId: variant.inventoryItemId } })
      : Promise.resolve([]),
    tx.backorderLine.findMany({
      where: { shop, variantId, ...OPEN_OR_LIVE },
      select: DERIVED_LINE,
      ...(limit === undefined ? {} : { take: limit + 1 }),
    }),
  ]);
  if (limit !== undefined && lines.length > limit) return null;
  return derivedWhole(shop, lines, levels, at, reason);
}

type LevelRow = { locationId: string; available: number; updatedAt: Date };

/** The changes of a variant derived from all its open lines and its levels (allocate). */
function derivedWhole(shop: string, lines: DerivedRow[], levels: LevelRow[], at: Date, reason: string): LineChange[] {
  const live = lines.filter((l) => l.cancelledAt === null && l.openQuantity > 0);
  const result = allocate(
    live.map((l) => ({
      lineItemId: l.lineItemId,
      orderedAt: l.orderedAt,
      openQuantity: l.openQuantity,
      locationId: l.assignedLocationId,
      parts: decodeParts(l.locationParts),
    })),
    levels.map((l) => ({ locationId: l.locationId, available: l.available, updatedAt: l.updatedAt })),
  );
  return lineChanges(shop, lines, (id) => result.lines.get(id), at, reason);
}

/**
 * deriveVariant for many variants at once, each read whole: three queries for all of them
 * (their Variant rows, levels and open lines) instead of three per variant. For variants
 * known to be small (a flash sale's chunk touches dozens of them, each with a few hundred lines).
 * `held`: new lines not yet in the table (pending), read with the stored ones (decision 0036).
 */
export async function deriveVariantsWhole(
  tx: Tx,
  shop: string,
  variants: { variantId: string; at: Date; reason: string }[],
  held?: NewLines,
): Promise<LineChange[]> {
  if (variants.length === 0) return [];
  const ids = variants.map((v) => v.variantId);
  const rows = await inChunks(ids, (chunk) =>
    tx.variant.findMany({ where: { shop, variantId: { in: chunk } }, select: { variantId: true, inventoryItemId: true } }),
  );
  const itemOf = new Map(rows.flatMap((v) => (v.inventoryItemId ? [[v.variantId, v.inventoryItemId] as const] : [])));
  const [levels, lines] = await Promise.all([
    inChunks(new Set(itemOf.values()), (items) => tx.inventoryLevel.findMany({ where: { shop, inventoryItemId: { in: items } } })),
    inChunks(ids, (chunk) => readDerivedLines(tx, shop, chunk)),
  ]);
  const levelsOf = new Map<string, LevelRow[]>();
  for (const l of levels) levelsOf.set(l.inventoryItemId, [...(levelsOf.get(l.inventoryItemId) ?? []), l]);
  const linesOf = new Map<string, DerivedRow[]>();
  for (const l of [...lines, ...variants.flatMap((v) => (held?.ofVariant(v.variantId) ?? []).map(heldRow))]) {
    const list = linesOf.get(l.variantId);
    if (list) list.push(l);
    else linesOf.set(l.variantId, [l]);
  }
  return variants.flatMap(({ variantId, at, reason }) => {
    const item = itemOf.get(variantId);
    return derivedWhole(shop, linesOf.get(variantId) ?? [], (item && levelsOf.get(item)) || [], at, reason);
  });
}

const DERIVED_LINE = {
  lineItemId: true,
  orderId: true,
  orderedAt: true,
  quantity: true,
  openQuantity: true,
  waitingQuantity: true,
  cancelledAt: true,
  state: true,
  locationId: true,
  assignedLocationId: true,
  locationParts: true,
  waitingParts: true,
  backorderedAt: true,
} as const;

type DerivedRow = Prisma.BackorderLineGetPayload<{ select: typeof DERIVED_LINE }>;

/** A held new line as the derivation reads a stored one: pending, nothing derived yet. */
const heldRow = (l: NewLine): DerivedRow & { variantId: string } => ({
  variantId: l.variantId,
  lineItemId: l.lineItemId,
  orderId: l.orderId,
  orderedAt: l.orderedAt as Date,
  quantity: l.quantity,
  openQuantity: l.openQuantity,
  waitingQuantity: 0,
  cancelledAt: (l.cancelledAt ?? null) as Date | null,
  state: PENDING_LINE_STATE,
  locationId: null,
  assignedLocationId: l.assignedLocationId ?? null,
  locationParts: l.locationParts ?? null,
  waitingParts: null,
  backorderedAt: null,
});
/** DERIVED_LINE's columns for raw reads: one list, so a column added there is read everywhere. */
const DERIVED_COLUMNS = Object.keys(DERIVED_LINE)
  .map((c) => `"${c}"`)
  .join(", ");

/**
 * The open-or-live lines (OPEN_OR_LIVE) of several variants with the DERIVED_LINE columns, in
 * one raw statement. A flash sale's chunk re-reads every open line of each variant it touches
 * (thousands of rows): read as plain rows they cost a fraction of the model read (findMany),
 * which maps each row through the client's result schema (decision 0029).
 */
async function readDerivedLines(tx: Tx, shop: string, variantIds: string[]): Promise<(DerivedRow & { variantId: string })[]> {
  const p = new SqlParams(dialectOf(tx));
  // The client returns these columns typed (DateTime as Date, Int as number), as findMany would.
  const rows = await tx.$queryRawUnsafe<(DerivedRow & { variantId: string })[]>(
    `SELECT "variantId", ${DERIVED_COLUMNS}
       FROM "BackorderLine"
      WHERE "shop" = ${p.p(shop)} AND "variantId" IN (${p.list(variantIds)})
        AND ("state" IN (${p.list(DERIVABLE_LINE_STATES)})
             OR ("openQuantity" > 0 AND "cancelledAt" IS NULL))`,
    ...p.values,
  );
  return rows;
}

/** What changes for each line given its new allocation (undefined: not live, or not given one). */
function lineChanges(
  shop: string,
  lines: DerivedRow[],
  allocOf: (lineItemId: string) => (Pick<NewAllocation, "waiting" | "locationId"> & { waitingAt?: Map<string, number> }) | undefined,
  at: Date,
  reason: string,
): LineChange[] {
  const changes: LineChange[] = [];
  for (const line of lines) {
    const alloc = allocOf(line.lineItemId);
    const waiting = line.cancelledAt === null ? (alloc?.waiting ?? 0) : 0;
    const state = lineState({
      cancelled: line.cancelledAt !== null,
      quantity: line.quantity,
      openQuantity: line.openQuantity,
      waiting,
    });
    const locationId = alloc?.locationId ?? line.locationId;
    // A line waiting at several locations (a split line, decision 0033): its units at each.
    const waitingParts = waiting > 0 && alloc?.waitingAt ? encodeWaitingParts(alloc.waitingAt) : null;
    if (state === line.state && waiting === line.waitingQuantity && locationId === line.locationId && waitingParts === line.waitingParts)
      continue;
    changes.push({
      lineItemId: line.lineItemId,
      orderId: line.orderId,
      data: {
        state,
        waitingQuantity: waiting,
        locationId,
        waitingParts,
        ...(waiting > 0 && !line.backorderedAt ? { backorderedAt: at } : {}),
        ...(state === LINE_STATE.allocated && line.state === LINE_STATE.waiting ? { allocatedAt: at } : {}),
        ...(state === LINE_STATE.fulfilled && line.state !== LINE_STATE.fulfilled ? { fulfilledAt: at } : {}),
      },
      history: {
        shop,
        lineItemId: line.lineItemId,
        at,
        fromState: line.state === PENDING_LINE_STATE ? null : line.state,
        toState: state,
        waiting,
        reason,
      },
    });
  }
  return changes;
}

const storedLine = (r: DerivedRow): StoredLine => ({
  lineItemId: r.lineItemId,
  orderedAt: r.orderedAt,
  openQuantity: r.openQuantity,
  cancelled: r.cancelledAt !== null,
  state: r.state,
  waitingQuantity: r.waitingQuantity,
  locationId: r.locationId,
});

/** Touched lines up to this many are read by id in the read-ahead statement (bound parameters: chunks.ts). */
const TOUCHED_INLINE = 300;

/**
 * The variant's derivation from the lines that can change (bounded-allocation.ts): the lines
 * `touched` names (written by this transaction's facts) and the `pending` ones, and a window
 * of lines around the waiting boundary, found with the (shop, variantId, state, orderedAt)
 * index. Equal to deriveVariant when every other line of the variant is stored as the last
 * derivation left it, which holds because each derivation writes all its changes and every
 * fact that moves a line re-derives its variant in the same transaction. Shortage at several
 * locations: deriveVariant.
 *
 * Two statements whatever the queue's size (decision 0030): the levels with the variant's
 * stored waiting units (VariantWaitingTotal, kept by triggers), then the touched and pending
 * lines, the open units ordered after the newest level, and the 2·STEP + |touched| oldest and
 * newest waiting lines and newest allocated ones, from which the window is usually found; a
 * read those lines cannot answer goes to the database (the reader below).
 */
export async function deriveVariantBounded(
  tx: Tx,
  shop: string,
  variantId: string,
  at: Date,
  reason: string,
  touched: ReadonlySet<string>,
): Promise<LineChange[]> {
  const postgres = dialectOf(tx) === "postgres";
  const args: unknown[] = [shop, variantId];
  const mark = (value: unknown) => {
    args.push(value);
    return postgres ? `$${args.length}` : `?${args.length}`;
  };
  const [SHOP, VARIANT] = postgres ? ["$1", "$2"] : ["?1", "?2"];
  const factRows = await tx.$queryRawUnsafe<{ locationId: string | null; available: number | null; updatedAt: Date | null; w: unknown }[]>(
    `SELECT l."locationId", l."available", l."updatedAt",
       (SELECT "waitingUnits" FROM "VariantWaitingTotal" WHERE "shop" = ${SHOP} AND "variantId" = ${VARIANT}) AS "w"
     FROM (SELECT 1 AS "one") AS x
     LEFT JOIN "InventoryLevel" AS l ON l."shop" = ${SHOP}
       AND l."inventoryItemId" = (SELECT "inventoryItemId" FROM "Variant" WHERE "shop" = ${SHOP} AND "variantId" = ${VARIANT})`,
    ...args,
  );
  const levels = factRows.flatMap((r) =>
    r.locationId === null ? [] : [{ locationId: r.locationId, available: Number(r.available), updatedAt: r.updatedAt! }],
  );
  const storedWaitingTotal = Number(factRows[0]?.w ?? 0);
  const base = { shop, variantId };
  // Lines placed at one of several locations take only that one's shortage: the window's
  // arithmetic (one shop-wide FIFO) does not hold, derive the whole variant. With one level
  // a placed line takes what an unplaced one would (allocation.ts), so single-location shops stay bounded.
  if (
    levels.length > 1 &&
    (await tx.backorderLine.findFirst({
      where: { ...base, state: { in: [...DERIVABLE_LINE_STATES] }, assignedLocationId: { not: null } },
      select: { lineItemId: true },
    }))
  )
    return deriveVariant(tx, shop, variantId, at, reason);
  const asOf = levels.length ? new Date(Math.max(...levels.map((l) => l.updatedAt.getTime()))) : null;

  // One statement: the touched and pending lines, the lists read ahead, and the unreflected units.
  const k = aheadSize(touched.size);
  const ofVariant = `"shop" = ${SHOP} AND "variantId" = ${VARIANT}`;
  const list = (part: string, state: string, order: "ASC" | "DESC") =>
    `SELECT * FROM (SELECT '${part}' AS "part", ${DERIVED_COLUMNS}, CAST(NULL AS INTEGER) AS "units" FROM "BackorderLine"
       WHERE ${ofVariant} AND "state" = '${state}' ORDER BY "orderedAt" ${order} LIMIT ${k}) AS "${part}"`;
  const inline = touched.size > 0 && touched.size <= TOUCHED_INLINE;
  const parts = [
    `SELECT 'p' AS "part", ${DERIVED_COLUMNS}, CAST(NULL AS INTEGER) AS "units" FROM "BackorderLine" WHERE ${ofVariant} AND "state" = '${PENDING_LINE_STATE}'`,
    ...(inline
      ? [
          `SELECT 't' AS "part", ${DERIVED_COLUMNS}, CAST(NULL AS INTEGER) AS "units" FROM "BackorderLine"
             WHERE ${ofVariant} AND "lineItemId" IN (${[...touched].map(mark).join(", ")})`,
        ]
      : []),
    list("wa", LINE_STATE.waiting, "ASC"),
    list("wd", LINE_STATE.waiting, "DESC"),
    list("ad", LINE_STATE.allocated, "DESC"),
    // Orders newer than the newest level (allocation.ts, unreflectedDemand): a range of the index per state.
    ...(asOf
      ? [
          `SELECT 'u' AS "part", ${Object.keys(DERIVED_LINE)
            .map(() => "NULL")
            .join(", ")}, CAST(SUM("openQuantity") AS INTEGER) AS "units" FROM "BackorderLine"
             WHERE ${ofVariant} AND "state" IN (${STORED_LINE_STATES.map((st) => `'${st}'`).join(", ")})
               AND "orderedAt" > ${mark(asOf)} AND "cancelledAt" IS NULL AND "openQuantity" > 0`,
        ]
      : []),
  ];
  const read = await tx.$queryRawUnsafe<(DerivedRow & { part: string; units: unknown })[]>(parts.join("\nUNION ALL\n"), ...args);
  const of = (part: string) => read.filter((r) => r.part === part);
  const unreflected = Number(of("u")[0]?.units ?? 0);
  const touchedRows = inline
    ? of("t")
    : await inChunks(touched, (ids) => tx.backorderLine.findMany({ where: { ...base, lineItemId: { in: ids } }, select: DERIVED_LINE }));

  const rows = new Map<string, DerivedRow>();
  for (const r of [...touchedRows, ...of("p")]) rows.set(r.lineItemId, r);
  const touchedLines = [...rows.values()];
  for (const r of read) if (r.part !== "u") rows.set(r.lineItemId, r);
  const keep = (found: DerivedRow[]) => {
    for (const r of found) rows.set(r.lineItemId, r);
    return found.map(storedLine);
  };
  const live = { cancelledAt: null, openQuantity: { gt: 0 } };
  const side = (s: "older" | "newer", from: Date) => (s === "older" ? { lt: from } : { gt: from });
  const database: LineReader = {
    waiting: async (order, n) =>
      keep(
        await tx.backorderLine.findMany({
          where: { ...base, state: LINE_STATE.waiting },
          orderBy: { orderedAt: order },
          take: n,
          select: DERIVED_LINE,
        }),
      ),
    newestCovered: async (n) =>
      keep(
        await tx.backorderLine.findMany({
          where: { ...base, state: LINE_STATE.allocated },
          orderBy: { orderedAt: "desc" },
          take: n,
          select: DERIVED_LINE,
        }),
      ),
    boundBeyond: async (from, s, n) => {
      // One ordered read per state keeps to the index; the n-th of the two merged is the bound.
      const order = s === "older" ? "desc" : "asc";
      const read = (state: string) =>
        tx.backorderLine.findMany({
          where: { ...base, state, orderedAt: side(s, from) },
          orderBy: { orderedAt: order },
          take: n,
          select: { orderedAt: true },
        });
      const times = [...(await read(LINE_STATE.waiting)), ...(await read(LINE_STATE.allocated))]
        .map((r) => r.orderedAt.getTime())
        .sort((a, b) => (s === "older" ? b - a : a - b));
      return times.length >= n ? new Date(times[n - 1]!) : null;
    },
    between: async (from, to) =>
      keep(
        await tx.backorderLine.findMany({
          where: {
            ...base,
            // Untouched live lines are stored waiting or allocated (a derivation left them so); pending ones are new.
            state: { in: [...DERIVABLE_LINE_STATES] },
            ...live,
            orderedAt: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) },
          },
          select: DERIVED_LINE,
        }),
      ),
    beyond: async (from, s, n) => {
      // Per state, ordered towards `from`: an index range that stops after n rows.
      const read = (state: string) =>
        tx.backorderLine.findMany({
          where: { ...base, state, ...live, orderedAt: side(s, from) },
          orderBy: { orderedAt: s === "older" ? "desc" : "asc" },
          take: n,
          select: DERIVED_LINE,
        });
      return keep([...(await read(LINE_STATE.waiting)), ...(await read(LINE_STATE.allocated))]);
    },
  };
  const stored = (part: string) => of(part).map(storedLine);
  const reader = readerAhead(
    {
      pending: { rows: stored("p"), gap: null },
      waiting: stateAhead(k, stored("wa"), stored("wd")),
      allocated: stateAhead(k, null, stored("ad")),
    },
    database,
  );
  const bounded = await allocateBounded(
    {
      levels: levels.map((l) => ({ locationId: l.locationId, available: l.available, updatedAt: l.updatedAt })),
      unreflected,
      storedWaitingTotal,
      touched: touchedLines.map(storedLine),
    },
    reader,
  );
  if (!bounded) return deriveVariant(tx, shop, variantId, at, reason);
  // The lines deriveVariant would read: open states, or live (a touched line done long ago stays as it is).
  const affected = [...bounded.lines.keys()]
    .map((id) => rows.get(id)!)
    .filter((r) => isDerivableLineState(r.state) || (r.cancelledAt === null && r.openQuantity > 0))
    .sort(fifoCompare);
  return lineChanges(shop, affected, (id) => bounded.lines.get(id), at, reason);
}

/**
 * Writes derived changes; returns the orders whose lines changed. Lines that change the
 * same way are written with one updateMany (a flash sale turns dozens of new lines
 * "waiting" at once); history goes in with one createMany. Any subset of a derivation may
 * be written on its own (a very large one is written in slices): each line's change is
 * independent of the others', and re-deriving finds whatever is not written yet.
 */
export async function writeDerivation(tx: Tx, shop: string, changes: LineChange[], held?: NewLines): Promise<string[]> {
  // Held new lines go in derived (one write each); the stored ones are updated.
  const stored = held ? await held.insertDerived(tx, changes) : changes;
  for (const chunk of chunks(stored, CHANGES_PER_UPDATE[dialectOf(tx)])) await updateDerivedLines(tx, shop, chunk);
  await insertLineEvents(
    tx,
    changes.map((c) => c.history),
  );
  const transitions = changes.map((c) => ({
    lineItemId: c.lineItemId,
    fromState: c.history.fromState,
    toState: c.history.toState,
    firstBackordered: c.data.backorderedAt !== undefined,
    at: c.history.at,
  }));
  // The Flow triggers these changes start commit with them (an outbox row each, sent by the sync),
  // and so do the "ready to ship" emails (the email outbox, sent by the worker's email loop).
  await enqueueFlowTriggers(tx, shop, transitions);
  await enqueueReadyEmails(tx, shop, transitions);
  return [...new Set(changes.map((c) => c.orderId))];
}

/** History rows per INSERT (one JSON parameter). */
const EVENTS_PER_INSERT = 1_000;
const LINE_EVENT_COLUMNS = ["shop", "lineItemId", "at", "fromState", "toState", "waiting", "reason"] as const;

/**
 * The history rows as SQL from one JSON parameter: `createMany` has the client compile a query
 * of every value first, which cost three times the statement's own time in the flash sale
 * (decision 0039).
 */
async function insertLineEvents(tx: Tx, rows: LineChange["history"][]) {
  const columns = LINE_EVENT_COLUMNS.map((c) => `"${c}"`).join(", ");
  for (const chunk of chunks(rows, EVENTS_PER_INSERT)) {
    const json = jsonRows(
      dialectOf(tx),
      "LineEvent",
      LINE_EVENT_COLUMNS,
      chunk.map((h) => LINE_EVENT_COLUMNS.map((c) => h[c])),
    );
    await tx.$executeRawUnsafe(`INSERT INTO "LineEvent" (${columns}) ${json.select}`, json.param);
  }
}

/**
 * Lines per UPDATE: 8 parameters each, under SQLite's bound-parameter limit (chunks.ts); on
 * PostgreSQL (65,535) a chunk's in one: each statement costs a plan, a round trip, a trigger
 * run and, on a table not yet analysed, a scan of the shop's lines (decision 0036).
 */
const CHANGES_PER_UPDATE = { sqlite: 70, postgres: 1_000 } as const;

/**
 * Lines' derived changes in one statement, each line its own values (a chunk's variants each
 * carry their own `backorderedAt`, so grouping by change left one updateMany per variant). The
 * dates a change does not name stay as they are (a derivation only ever sets them); `updatedAt`
 * is set as Prisma's @updatedAt would.
 */
async function updateDerivedLines(tx: Tx, shop: string, changes: LineChange[]) {
  if (changes.length === 0) return;
  const date = (d: unknown) => (d instanceof Date ? d : null);
  const values = valuesList(
    dialectOf(tx),
    changes.map((c) => [
      c.lineItemId,
      c.data.state,
      c.data.waitingQuantity,
      c.data.locationId ?? null,
      typeof c.data.waitingParts === "string" ? c.data.waitingParts : null,
      date(c.data.backorderedAt),
      date(c.data.allocatedAt),
      date(c.data.fulfilledAt),
    ]),
    ["text", "text", "int", "text", "text", "timestamp(3)", "timestamp(3)", "timestamp(3)"],
  );
  // Parameters bind in the order their marks appear: SQLite's `?` are numbered by position, so
  // the SET clause's time comes first there; PostgreSQL's are numbered, after the VALUES'.
  const postgres = dialectOf(tx) === "postgres";
  const n = values.params.length;
  const [nowMark, shopMark] = postgres ? [`$${n + 2}::timestamp(3)`, `$${n + 1}`] : ["?", "?"];
  const params = postgres ? [...values.params, shop, new Date()] : [new Date(), ...values.params, shop];
  await tx.$executeRawUnsafe(
    `UPDATE "BackorderLine" SET
       "state" = v.column2, "waitingQuantity" = v.column3, "locationId" = v.column4, "waitingParts" = v.column5,
       "backorderedAt" = COALESCE(v.column6, "BackorderLine"."backorderedAt"),
       "allocatedAt" = COALESCE(v.column7, "BackorderLine"."allocatedAt"),
       "fulfilledAt" = COALESCE(v.column8, "BackorderLine"."fulfilledAt"),
       "updatedAt" = ${nowMark}
     FROM (VALUES ${values.sql}) AS v
     WHERE "BackorderLine"."shop" = ${shopMark} AND "BackorderLine"."lineItemId" = v.column1`,
    ...params,
  );
}
