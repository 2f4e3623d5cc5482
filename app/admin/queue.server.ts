// The merchant's queue: one page of lines for the filters in the URL, each with its
// place in its variant's FIFO line-up and the ship date that place gets. Keyset
// pagination on (sort key, lineItemId) so page 2,000 costs what page 1 costs; the
// default view (waiting, oldest first) walks the (shop, state, orderedAt) index.
import { aheadOfParts, compareIds, fifoCompare, waitingPartsOf } from "../backorder/allocation.ts";
import { calendarDate, shipDateForUnit, type IncomingUnits, type RestockPlan } from "../backorder/eta.ts";
import { incomingBatchesOf } from "../engine/incoming-batches.server.ts";
import { waitingQueuesOf } from "../engine/located-queue.server.ts";
import { hasLocatedBatch, queueShipDates } from "../backorder/located-eta.ts";
import { LINE_STATE, OPEN_LINE_STATES } from "../backorder/line-state.ts";
import { restockPlanOf } from "../backorder/storefront-status.ts";
import type { Db, Prisma, Tx } from "../db/client.server.ts";
import { SYNC_KIND } from "../sync/task-kind.ts";
import { SYNC_TASK_STATUS, UNFINISHED_SYNC_TASK_STATUSES } from "../sync/task-status.ts";
import { ageInDays } from "./format.ts";
import { PAGE_SIZE, encodeCursor, type Cursor, type QueueQuery, type QueueSort } from "./queue-query.ts";
import { SqlParams, dialectOf, num, rawQuery } from "./sql.server.ts";
import { containsText } from "./text-search.ts";
import { loadShopDefaults, shopToday, type ShopDefaults } from "./shop-context.server.ts";

export interface QueueRow {
  lineItemId: string;
  orderId: string;
  orderName: string;
  orderedAt: string;
  customerName: string | null;
  customerEmail: string | null;
  variantId: string;
  productTitle: string;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  waitingQuantity: number;
  state: string;
  /** 1 = next to be served among the variant's waiting lines; null unless waiting. */
  position: number | null;
  /** Promised ship date (YYYY-MM-DD) of the line's last waiting unit; null unless waiting. */
  eta: string | null;
  ageDays: number;
  notifiedAt: string | null;
  /** Merchant asked for the order's cancellation; Shopify has not confirmed it yet. */
  cancellation: "requested" | "failed" | null;
  /** The customer's latest answer to a delay notice (app/consent): kept, or cancelled for a refund. */
  consent: { choice: "keep" | "cancel"; promisedDate: string; answeredAt: string } | null;
  unitPrice: string;
  currency: string;
}

export interface QueuePage {
  rows: QueueRow[];
  total: number;
  nextCursor: string | null;
  prevCursor: string | null;
}

export function queueWhere(client: Db | Tx, shop: string, q: QueueQuery, now: Date): Prisma.BackorderLineWhereInput {
  const and: Prisma.BackorderLineWhereInput[] = [{ shop }];
  if (q.state === "open") and.push({ state: { in: [...OPEN_LINE_STATES] } });
  else if (q.state !== "all") and.push({ state: q.state });
  if (q.variantId) and.push({ variantId: q.variantId });
  if (q.minAgeDays) and.push({ orderedAt: { lte: new Date(now.getTime() - q.minAgeDays * 86_400_000) } });
  if (q.search) {
    const contains = containsText(dialectOf(client), q.search);
    and.push({
      OR: [{ orderName: contains }, { customerName: contains }, { customerEmail: contains }, { sku: contains }, { title: contains }],
    });
  }
  return { AND: and };
}

type SortKey = "orderedAt" | "waitingQuantity";
const SORTS: Record<QueueSort, { key: SortKey; dir: "asc" | "desc" }> = {
  oldest: { key: "orderedAt", dir: "asc" },
  newest: { key: "orderedAt", dir: "desc" },
  waiting: { key: "waitingQuantity", dir: "desc" },
};

export function orderBy(sort: QueueSort, reverse: boolean): Prisma.BackorderLineOrderByWithRelationInput[] {
  const { key, dir } = SORTS[sort];
  const d = reverse ? (dir === "asc" ? "desc" : "asc") : dir;
  // The id tie-break always runs with the key's direction, so the keyset is a total order.
  return [{ [key]: d }, { lineItemId: d }];
}

/** Rows strictly after (or, reversed, before) the cursor in the sort's order. */
export function keyset(sort: QueueSort, c: Cursor, reverse: boolean): Prisma.BackorderLineWhereInput {
  const { key, dir } = SORTS[sort];
  const forward = (dir === "asc") !== reverse;
  const op = forward ? "gt" : "lt";
  const value = key === "orderedAt" ? new Date(String(c.v)) : Number(c.v);
  return { OR: [{ [key]: { [op]: value } }, { [key]: value, lineItemId: { [op]: c.id } }] };
}

/** Where a line stands in a sort: the keyset position after (or before) it. */
export const cursorValue = (sort: QueueSort, l: { orderedAt: Date; waitingQuantity: number; lineItemId: string }): Cursor => ({
  sort,
  v: SORTS[sort].key === "orderedAt" ? l.orderedAt.toISOString() : l.waitingQuantity,
  id: l.lineItemId,
});
const cursorOf = (sort: QueueSort, l: Parameters<typeof cursorValue>[1]): string => encodeCursor(cursorValue(sort, l));

export const LINE_SELECT = {
  lineItemId: true,
  orderId: true,
  orderName: true,
  orderedAt: true,
  customerName: true,
  customerEmail: true,
  variantId: true,
  title: true,
  sku: true,
  quantity: true,
  waitingQuantity: true,
  state: true,
  locationId: true,
  waitingParts: true,
  notifiedAt: true,
  unitPrice: true,
  currency: true,
} as const;

export async function loadQueuePage(
  client: Db | Tx,
  shop: string,
  q: QueueQuery,
  now = new Date(),
  pageSize = PAGE_SIZE,
): Promise<QueuePage> {
  const where = queueWhere(client, shop, q, now);
  const reverse = q.before !== null && q.after === null;
  const given = reverse ? q.before : q.after;
  // A cursor holds a position in its own sort's order only (parseQueueQuery drops others too).
  const cursor = given?.sort === q.sort ? given : null;
  const [found, total] = await Promise.all([
    client.backorderLine.findMany({
      where: cursor ? { AND: [where, keyset(q.sort, cursor, reverse)] } : where,
      orderBy: orderBy(q.sort, reverse),
      take: pageSize + 1,
      select: LINE_SELECT,
    }),
    client.backorderLine.count({ where }),
  ]);
  const more = found.length > pageSize;
  const lines = found.slice(0, pageSize);
  if (reverse) lines.reverse();
  const first = lines[0];
  const last = lines[lines.length - 1];
  const nextCursor = last && (reverse || more) ? cursorOf(q.sort, last) : null;
  const prevCursor = first && (reverse ? more : cursor !== null) ? cursorOf(q.sort, first) : null;
  return { rows: await describeLines(client, shop, lines, now), total, nextCursor, prevCursor };
}

export type PageLine = Prisma.BackorderLineGetPayload<{ select: typeof LINE_SELECT }>;

export type AheadOf = (line: PageLine) => Promise<{ lines: number; units: number }>;

/** Titles, FIFO positions, ETAs and cancellation requests for a page of lines. */
export async function describeLines(
  client: Db | Tx,
  shop: string,
  lines: PageLine[],
  now: Date,
  aheadOf: AheadOf = pageAhead(client, shop, lines),
): Promise<QueueRow[]> {
  if (lines.length === 0) return [];
  const variantIds = [...new Set(lines.map((l) => l.variantId))];
  const orderIds = [...new Set(lines.map((l) => l.orderId))];
  const [variants, policies, defaults, cancels, ahead, consents] = await Promise.all([
    client.variant.findMany({
      where: { shop, variantId: { in: variantIds } },
      select: { variantId: true, productTitle: true, title: true, sku: true },
    }),
    client.variantPolicy.findMany({ where: { shop, variantId: { in: variantIds } } }),
    loadShopDefaults(client, shop),
    client.syncTask.findMany({
      where: { shop, kind: SYNC_KIND.orderCancel, targetId: { in: orderIds }, status: { in: [...UNFINISHED_SYNC_TASK_STATUSES] } },
      select: { targetId: true, status: true },
    }),
    Promise.all(lines.map((l) => (l.state === LINE_STATE.waiting ? aheadOf(l) : Promise.resolve(null)))),
    client.consentRecord.findMany({
      where: { shop, lineItemId: { in: lines.map((l) => l.lineItemId) } },
      orderBy: { answeredAt: "asc" },
      select: { lineItemId: true, choice: true, promisedDate: true, answeredAt: true },
    }),
  ]);
  // The latest answer per line (ordered oldest first, so later ones overwrite).
  const consentByLine = new Map(
    consents.map((c) => [
      c.lineItemId,
      {
        choice: c.choice === "cancel" ? ("cancel" as const) : ("keep" as const),
        promisedDate: c.promisedDate,
        answeredAt: c.answeredAt.toISOString(),
      },
    ]),
  );
  const variantById = new Map(variants.map((v) => [v.variantId, v]));
  const policyById = new Map(policies.map((p) => [p.variantId, p]));
  const cancelByOrder = new Map(
    cancels.map((c) => [c.targetId, c.status === SYNC_TASK_STATUS.failed ? ("failed" as const) : ("requested" as const)]),
  );
  const today = shopToday(defaults, now);
  const batchesOf = await incomingBatchesOf(client, shop, variantIds, today);
  const planOf = (variantId: string) => restockPlan(policyById.get(variantId) ?? null, defaults, today, batchesOf.get(variantId));
  // A batch at a location serves that location's lines first: those variants are dated from their whole queue.
  const located = variantIds.filter((id) => hasLocatedBatch(batchesOf.get(id)));
  const queues = located.length > 0 ? await waitingQueuesOf(client, shop, located) : new Map();
  const locatedDates = new Map(located.map((id) => [id, queueShipDates(queues.get(id) ?? [], planOf(id)).lines]));

  return lines.map((l, i) => {
    const v = variantById.get(l.variantId);
    const before = ahead[i];
    const plan = planOf(l.variantId);
    const locatedEta = locatedDates.get(l.variantId)?.get(l.lineItemId);
    return {
      lineItemId: l.lineItemId,
      orderId: l.orderId,
      orderName: l.orderName,
      orderedAt: l.orderedAt.toISOString(),
      customerName: l.customerName,
      customerEmail: l.customerEmail,
      variantId: l.variantId,
      productTitle: v?.productTitle ?? l.title,
      variantTitle: v && v.title !== "Default Title" ? v.title : null,
      sku: l.sku ?? v?.sku ?? null,
      quantity: l.quantity,
      waitingQuantity: l.waitingQuantity,
      state: l.state,
      position: before ? before.lines + 1 : null,
      eta: before ? (locatedEta !== undefined ? locatedEta : shipDateForUnit(before.units + l.waitingQuantity, plan)) : null,
      ageDays: ageInDays(l.orderedAt, now),
      notifiedAt: l.notifiedAt?.toISOString() ?? null,
      cancellation: cancelByOrder.get(l.orderId) ?? null,
      consent: consentByLine.get(l.lineItemId) ?? null,
      unitPrice: l.unitPrice,
      currency: l.currency,
    };
  });
}

export function restockPlan(
  policy: { restockDate: Date | null; incomingQuantity: number | null; leadTimeDays: number | null } | null,
  defaults: Pick<ShopDefaults, "defaultLeadTimeDays" | "processingDays">,
  today: string,
  batches: readonly IncomingUnits[] = [],
): RestockPlan {
  return restockPlanOf({ policy: policy && { ...policy, restockDate: calendarDate(policy.restockDate) }, shop: defaults, today, batches });
}

/**
 * Waiting lines (and their waiting units) of the same variant ahead of this one in FIFO
 * order: an aggregate over the strictly older ones, plus the few with the same order time
 * sorted by the engine's own tie-break (allocation.ts compareIds). Only lines short at the
 * same location count: a restock there serves them first (docs/decisions/0021-per-location-queues.md);
 * in a single-location shop that is every waiting line of the variant.
 */
async function unitsAhead(client: Db | Tx, shop: string, l: PageLine, hasSplit: boolean): Promise<{ lines: number; units: number }> {
  const parts = waitingPartsOf(l);
  if (parts.length <= 1) return unitsAheadAt(client, shop, l, l.locationId, hasSplit);
  // A split line (decision 0033): each part in its own location's queue; it ships with the last.
  const each = await Promise.all(parts.map(async ([at, units]) => ({ ahead: await unitsAheadAt(client, shop, l, at, true), units })));
  return aheadOfParts(each, l.waitingQuantity);
}

/**
 * unitsAhead for a page: which of its variants have waiting split lines is asked once for the
 * page, so the lines of the others (nearly all) cost what they did before decision 0033.
 */
function pageAhead(client: Db | Tx, shop: string, lines: PageLine[]): AheadOf {
  let split: Promise<Set<string>> | undefined;
  const variantsWithSplit = () =>
    (split ??= client.backorderLine
      .findMany({
        where: {
          shop,
          variantId: { in: [...new Set(lines.map((l) => l.variantId))] },
          state: LINE_STATE.waiting,
          waitingParts: { not: null },
        },
        select: { variantId: true },
        distinct: ["variantId"],
      })
      .then((rows) => new Set(rows.map((r) => r.variantId))));
  return async (l) => unitsAhead(client, shop, l, (await variantsWithSplit()).has(l.variantId));
}

/** unitsAhead in one location's queue (null: every waiting line); split lines ahead count their part there. */
async function unitsAheadAt(
  client: Db | Tx,
  shop: string,
  l: PageLine,
  locationId: string | null,
  hasSplit: boolean,
): Promise<{ lines: number; units: number }> {
  const p = new SqlParams(dialectOf(client));
  const atLocation = locationId !== null;
  // A range on the (shop, variantId, state, orderedAt) index: only the older waiting lines of this variant.
  const [olderRows, ties, split] = await Promise.all([
    rawQuery<{ n: unknown; u: unknown }>(
      client,
      p,
      `SELECT COUNT(*) AS "n", SUM("waitingQuantity") AS "u" FROM "BackorderLine"
        WHERE "shop" = ${p.p(shop)} AND "variantId" = ${p.p(l.variantId)} AND "state" = '${LINE_STATE.waiting}' AND "orderedAt" < ${p.p(l.orderedAt)}
          ${atLocation ? `AND "locationId" = ${p.p(locationId)} AND "waitingParts" IS NULL` : ""}`,
    ),
    client.backorderLine.findMany({
      where: {
        shop,
        variantId: l.variantId,
        state: LINE_STATE.waiting,
        orderedAt: l.orderedAt,
        lineItemId: { not: l.lineItemId },
        ...(atLocation ? { locationId, waitingParts: null } : {}),
      },
      select: { lineItemId: true, waitingQuantity: true },
    }),
    // Split lines waiting at several locations (few): their part at this location.
    atLocation && hasSplit
      ? client.backorderLine.findMany({
          where: {
            shop,
            variantId: l.variantId,
            state: LINE_STATE.waiting,
            orderedAt: { lte: l.orderedAt },
            lineItemId: { not: l.lineItemId },
            waitingParts: { not: null },
          },
          select: { lineItemId: true, orderedAt: true, waitingQuantity: true, locationId: true, waitingParts: true },
        })
      : Promise.resolve([]),
  ]);
  const tiesAhead = ties.filter((t) => compareIds(t.lineItemId, l.lineItemId) < 0);
  const splitAhead = split
    .filter((s) => fifoCompare(s, l) < 0)
    .map((s) => waitingPartsOf(s).find(([at]) => at === locationId)?.[1] ?? 0)
    .filter((units) => units > 0);
  const older = olderRows[0];
  return {
    lines: num(older?.n) + tiesAhead.length + splitAhead.length,
    units: num(older?.u) + tiesAhead.reduce((s, t) => s + t.waitingQuantity, 0) + splitAhead.reduce((a, b) => a + b, 0),
  };
}

/** Variants that have lines in the queue's current state, for the variant filter. */
export async function queueVariantChoices(client: Db | Tx, shop: string, limit = 200) {
  const groups = await client.backorderLine.groupBy({
    by: ["variantId"],
    where: { shop, state: LINE_STATE.waiting },
    _sum: { waitingQuantity: true },
    orderBy: { _sum: { waitingQuantity: "desc" } },
    take: limit,
  });
  const ids = groups.map((g) => g.variantId);
  const variants = await client.variant.findMany({
    where: { shop, variantId: { in: ids } },
    select: { variantId: true, productTitle: true, title: true, sku: true },
  });
  const byId = new Map(variants.map((v) => [v.variantId, v]));
  return groups.map((g) => {
    const v = byId.get(g.variantId);
    const name = v ? (v.title && v.title !== "Default Title" ? `${v.productTitle} — ${v.title}` : v.productTitle) : g.variantId;
    return { variantId: g.variantId, label: `${name} (${g._sum.waitingQuantity ?? 0} waiting)` };
  });
}
