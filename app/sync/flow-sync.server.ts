// Shopify Flow triggers through the sync layer. The engine (recompute) and the variant
// sync only enqueue, inside the transaction that makes the change, one `flow` SyncTask
// per (trigger, line, date) that is created once and never reset; the runner sends it
// with flowTriggerReceive and retries it like any task. Rules in app/backorder/flow-triggers.ts.
import { fifoCompare } from "../backorder/allocation.ts";
import { calendarDate, fromCalendarDate, shipDateForUnit, todayIn } from "../backorder/eta.ts";
import {
  FLOW_TRIGGERS,
  flowKeyId,
  flowPayload,
  parseFlowKey,
  shipDateChanges,
  triggersOf,
  type FlowKey,
} from "../backorder/flow-triggers.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { hasLocatedBatch, isPlaced, queueShipDates } from "../backorder/located-eta.ts";
import { restockPlanOf } from "../backorder/storefront-status.ts";
import { incomingBatchesOf } from "../engine/incoming-batches.server.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";
import { lockShopEngine } from "../engine/engine-lock.server.ts";
import { AdminApiError } from "../shopify/admin-errors.ts";
import type { AdminGateway } from "../shopify/admin-operations.server.ts";
import { SYNC_KIND } from "./task-kind.ts";
import { enqueueOnce } from "./tasks.server.ts";
import { enqueueDateEmails } from "../email/outbox.server.ts";
import { enqueueOrderPromises } from "./order-promise-sync.server.ts";

/**
 * The triggers worth sending to the shop: those Flow told us (lifecycle callbacks) it has an
 * enabled workflow on, none when the merchant turned the triggers off; and its time zone.
 */
async function flowSettings(db: Db | Tx, shop: string) {
  const [s, uses] = await Promise.all([
    db.shopSettings.findUnique({ where: { shop }, select: { flowTriggers: true, timezone: true } }),
    db.flowTriggerUse.findMany({ where: { shop, enabled: true }, select: { trigger: true } }),
  ]);
  const used = new Set<string>(s?.flowTriggers === false ? [] : uses.map((u) => u.trigger));
  return { used, timezone: s?.timezone ?? "UTC" };
}

export interface DerivedTransition {
  lineItemId: string;
  fromState: string | null;
  toState: string;
  firstBackordered: boolean;
  at: Date;
}

/** Enqueues the triggers of the engine's line changes, in the engine's transaction. */
export async function enqueueFlowTriggers(tx: Tx, shop: string, changes: DerivedTransition[], now = new Date()): Promise<number> {
  const relevant = changes.filter((c) => c.firstBackordered || c.fromState === LINE_STATE.waiting);
  if (relevant.length === 0) return 0;
  const settings = await flowSettings(tx, shop);
  if (settings.used.size === 0) return 0;
  const keys = relevant
    .flatMap((c) => triggersOf({ ...c, day: todayIn(settings.timezone, c.at) }))
    .filter((k) => settings.used.has(k.handle));
  return enqueueFlowKeys(tx, shop, keys, now);
}

const enqueueFlowKeys = (tx: Tx, shop: string, keys: FlowKey[], now: Date) =>
  enqueueOnce(tx, shop, SYNC_KIND.flow, keys.map(flowKeyId), now);

/**
 * Each waiting line's promised ship date, as the admin queue computes it: the line's last
 * unit in its variant's FIFO order, dated by the variant's restock plan (eta.ts); when a
 * batch names a location, each batch serves its location's lines first (located-eta.ts).
 */
export async function lineShipDates(db: Db | Tx, shop: string, variantIds: string[], now: Date): Promise<Map<string, string | null>> {
  const ids = [...new Set(variantIds)];
  const [settings, policies, lines] = await Promise.all([
    db.shopSettings.findUnique({ where: { shop }, select: { timezone: true, defaultLeadTimeDays: true, processingDays: true } }),
    inChunks(ids, (chunk) => db.variantPolicy.findMany({ where: { shop, variantId: { in: chunk } } })),
    inChunks(ids, (chunk) =>
      db.backorderLine.findMany({
        where: { shop, variantId: { in: chunk }, state: LINE_STATE.waiting },
        select: { lineItemId: true, variantId: true, orderedAt: true, waitingQuantity: true, locationId: true, assignedLocationId: true },
      }),
    ),
  ]);
  const today = todayIn(settings?.timezone ?? "UTC", now);
  const batchesOf = await incomingBatchesOf(db, shop, byVariantIds(lines), today);
  const shopPlan = { defaultLeadTimeDays: settings?.defaultLeadTimeDays ?? 14, processingDays: settings?.processingDays ?? 1 };
  const policyOf = new Map(policies.map((p) => [p.variantId, p]));
  const byVariant = new Map<string, typeof lines>();
  for (const l of lines) byVariant.set(l.variantId, [...(byVariant.get(l.variantId) ?? []), l]);
  const dates = new Map<string, string | null>();
  for (const [variantId, waiting] of byVariant) {
    const p = policyOf.get(variantId);
    const plan = restockPlanOf({
      policy: p ? { restockDate: calendarDate(p.restockDate), incomingQuantity: p.incomingQuantity, leadTimeDays: p.leadTimeDays } : null,
      shop: shopPlan,
      today,
      batches: batchesOf.get(variantId),
    });
    if (hasLocatedBatch(plan.batches)) {
      const located = queueShipDates(
        waiting.map((l) => ({ ...l, placed: isPlaced(l) })),
        plan,
      );
      for (const [id, date] of located.lines) dates.set(id, date);
      continue;
    }
    let units = 0;
    for (const l of waiting.sort(fifoCompare)) {
      units += l.waitingQuantity;
      dates.set(l.lineItemId, shipDateForUnit(units, plan));
    }
  }
  return dates;
}

/**
 * Records each waiting line's ship date and, where it moved, enqueues "ship date changed"
 * in the same transaction. Run by the variant sync, which runs whenever a variant's queue
 * or restock plan changes and once a day (dates relative to today move at midnight).
 */
export async function recordShipDates(
  db: Db,
  shop: string,
  variantIds: string[],
  now: Date,
  /** Orders whose promise the caller pushes after this commits anyway (its claimed `order-promise` tasks). */
  promisesPushedNext: ReadonlySet<string> = new Set(),
): Promise<number> {
  if (variantIds.length === 0) return 0;
  return db.$transaction(
    async (tx) => {
      // The engine's lock (PostgreSQL): the queue is read whole, and its lines are not written by two transactions at once.
      await lockShopEngine(tx, shop);
      const dates = await lineShipDates(tx, shop, variantIds, now);
      const ids = [...dates.keys()];
      const stored = await inChunks(ids, (chunk) =>
        tx.backorderLine.findMany({
          where: { shop, lineItemId: { in: chunk } },
          select: { lineItemId: true, variantId: true, orderId: true, promisedShipDate: true },
        }),
      );
      const variantOf = new Map(stored.map((l) => [l.lineItemId, l.variantId]));
      const moved = stored.filter((l) => (dates.get(l.lineItemId) ?? null) !== l.promisedShipDate);
      for (const l of moved) {
        await tx.backorderLine.updateMany({
          where: { shop, lineItemId: l.lineItemId },
          data: { promisedShipDate: dates.get(l.lineItemId) ?? null },
        });
      }
      const moves = moved.map((l) => ({ lineItemId: l.lineItemId, before: l.promisedShipDate, now: dates.get(l.lineItemId) ?? null }));
      // The customer's emails (confirmation, date changed, delay notice) commit with the new dates too.
      await enqueueDateEmails(tx, shop, moves, now);
      await recordFirstPromises(tx, shop, moved, dates, variantOf, now);
      // The Order status page's promise follows the dates (order-promise-sync.server.ts).
      const orderOf = new Map(stored.map((l) => [l.lineItemId, l.orderId]));
      await enqueueOrderPromises(
        tx,
        shop,
        moved.map((l) => orderOf.get(l.lineItemId)!).filter((o) => !promisesPushedNext.has(o)),
        now,
      );
      const { used } = await flowSettings(tx, shop);
      if (!used.has(FLOW_TRIGGERS.shipDateChanged)) return 0;
      const keys = shipDateChanges(moves);
      return enqueueFlowKeys(tx, shop, keys, now);
    },
    { timeout: 30_000 },
  );
}

/**
 * Sends one trigger. Not sent (and done): the shop turned Flow triggers off or its workflow
 * on this trigger since, the line is gone (shop/redact), or Flow could not reference its
 * order, customer or product.
 */
export async function sendFlowTrigger(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  targetId: string,
  now: Date,
): Promise<"sent" | "skipped"> {
  const key = parseFlowKey(targetId);
  if (!key) throw new AdminApiError(`not a Flow trigger task: ${targetId}`, true, "FlowTriggerReceive");
  if (!(await flowSettings(db, shop)).used.has(key.handle)) return "skipped";
  const line = await db.backorderLine.findUnique({ where: { shop_lineItemId: { shop, lineItemId: key.lineItemId } } });
  if (!line) return "skipped";
  let shipDate = line.promisedShipDate;
  if (shipDate === null && line.state === LINE_STATE.waiting)
    shipDate = (await lineShipDates(db, shop, [line.variantId], now)).get(line.lineItemId) ?? null;
  const built = flowPayload(key, { ...line, shipDate });
  if ("skip" in built) return "skipped";
  await gateway.flowTriggerReceive(key.handle, built.payload);
  return "sent";
}

const byVariantIds = (lines: { variantId: string }[]): Set<string> => new Set(lines.map((l) => l.variantId));

/**
 * Keeps the first date promised to each line (LinePromise), for promise accuracy. A line
 * dated before this record existed gets its earlier stored date when its date first moves.
 */
async function recordFirstPromises(
  tx: Tx,
  shop: string,
  moved: { lineItemId: string; promisedShipDate: string | null }[],
  dates: Map<string, string | null>,
  variantOf: Map<string, string>,
  now: Date,
): Promise<void> {
  const dated = moved.filter((l) => (l.promisedShipDate ?? dates.get(l.lineItemId) ?? null) !== null);
  if (dated.length === 0) return;
  const known = await inChunks(
    dated.map((l) => l.lineItemId),
    (chunk) => tx.linePromise.findMany({ where: { shop, lineItemId: { in: chunk } }, select: { lineItemId: true } }),
  );
  const has = new Set(known.map((k) => k.lineItemId));
  const data = dated
    .filter((l) => !has.has(l.lineItemId))
    .map((l) => {
      const first = (l.promisedShipDate ?? dates.get(l.lineItemId))!;
      return {
        shop,
        lineItemId: l.lineItemId,
        variantId: variantOf.get(l.lineItemId) ?? "",
        firstPromised: first,
        firstPromisedAt: fromCalendarDate(first),
        promisedAt: now,
      };
    });
  for (let i = 0; i < data.length; i += 200) await tx.linePromise.createMany({ data: data.slice(i, i + 200) });
}
