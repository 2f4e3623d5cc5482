// Restock planning for one variant: how fast its backorders come in, what its queue looks
// like on each incoming batch's date, how much to order and when the queue clears. Plain
// arithmetic on calendar dates (YYYY-MM-DD) and unit counts; the admin loads the numbers
// and shows these results. Rules and why: docs/decisions/0016-planning.md.
import { addDays, type IncomingUnits } from "./eta.ts";

export interface DailyUnits {
  /** YYYY-MM-DD */
  day: string;
  units: number;
}

export interface Demand {
  /** Units backordered per day over the last 7 days (today included). */
  last7: number;
  /** The same over the last 28 days. */
  last28: number;
  /** last7 / last28 - 1: +0.5 = the last week ran 50% above the month; null without a month's demand. */
  trend: number | null;
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string): number => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
export const daysBetween = (from: string, to: string): number => dayNumber(to) - dayNumber(from);

/** Units per day over the 7 and 28 days up to `today`; days outside both are ignored. */
export function demandOf(series: readonly DailyUnits[], today: string): Demand {
  let week = 0;
  let month = 0;
  for (const d of series) {
    const age = daysBetween(d.day, today);
    if (age < 0 || age >= 28 || !(d.units > 0)) continue;
    month += d.units;
    if (age < 7) week += d.units;
  }
  return demandFromTotals(week, month);
}

/** The same from the two totals (the admin sums them in SQL). */
export function demandFromTotals(units7: number, units28: number): Demand {
  const last7 = Math.max(0, units7) / 7;
  const last28 = Math.max(0, units28) / 28;
  return { last7, last28, trend: last28 > 0 ? last7 / last28 - 1 : null };
}

/** The rate planning assumes: the busier of the last week and the last month, so a rising variant is not under-ordered. */
export const planningRate = (d: Demand): number => Math.max(d.last7, d.last28);

export interface ProjectedPoint {
  day: string;
  /** Units waiting just before the batch lands: today's queue plus the demand until then, less what earlier batches served. */
  before: number;
  /** Units still waiting once it is in. */
  after: number;
  /** The batch's own quantity. */
  arriving: number;
}

/**
 * The queue on each batch date, with demand `rate` units/day from today on; a batch's units
 * beyond the queue stay on the shelf for the orders after it. Batches before today or
 * empty are skipped; several on one day land one after another.
 */
export function projectQueue(waitingUnits: number, rate: number, batches: readonly IncomingUnits[], today: string): ProjectedPoint[] {
  const ahead = [...batches]
    .filter((b) => b.date >= today && b.quantity > 0)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const points: ProjectedPoint[] = [];
  // Units short (negative: units on the shelf): stock left over from a batch serves later
  // orders, which then never join the queue.
  let short = Math.max(0, waitingUnits);
  let at = today;
  for (const b of ahead) {
    short += Math.max(0, rate) * daysBetween(at, b.date);
    at = b.date;
    const before = Math.max(0, short);
    short -= b.quantity;
    points.push({ day: b.date, before, after: Math.max(0, short), arriving: b.quantity });
  }
  return points;
}

/**
 * The first batch date on which the queue is empty once the batch is in (demand keeps
 * coming until then); null when the batches planned never catch up.
 */
export function queueClearDate(waitingUnits: number, rate: number, batches: readonly IncomingUnits[], today: string): string | null {
  if (waitingUnits <= 0) return today;
  return projectQueue(waitingUnits, rate, batches, today).find((p) => p.after <= 0)?.day ?? null;
}

export interface OrderAdvice {
  /** Units to order now (whole units, never negative). */
  quantity: number;
  /** When an order placed today arrives: today + lead time. */
  arrivesOn: string;
}

/**
 * What to order today to clear the queue and then cover `coverDays` of demand: the units
 * waiting, plus the demand until the order arrives (lead time) and for coverDays after,
 * less what the batches already planned bring by then.
 */
export function orderAdvice(input: {
  waitingUnits: number;
  rate: number;
  batches: readonly IncomingUnits[];
  leadTimeDays: number;
  coverDays: number;
  today: string;
}): OrderAdvice {
  const lead = Math.max(0, Math.floor(input.leadTimeDays));
  const cover = Math.max(0, Math.floor(input.coverDays));
  const arrivesOn = addDays(input.today, lead);
  const horizon = addDays(arrivesOn, cover);
  const planned = input.batches.filter((b) => b.date >= input.today && b.date <= horizon).reduce((s, b) => s + Math.max(0, b.quantity), 0);
  const need = Math.max(0, input.waitingUnits) + Math.max(0, input.rate) * (lead + cover) - planned;
  // Demand is a rate: 2.1 units still needs a third unit on the shelf.
  return { quantity: Math.max(0, Math.ceil(need - 1e-9)), arrivesOn };
}

export type RiskReason = "promise-passed" | "outgrows-next-batch" | "no-restock-date";

/**
 * Why a variant needs the merchant's attention:
 * - promise-passed: some waiting line's promised ship date is before today;
 * - outgrows-next-batch: the queue on the next batch's date is larger than the batch;
 * - no-restock-date: units wait and neither a batch nor a restock date lies ahead.
 */
export function riskReasons(input: {
  waitingUnits: number;
  overduePromises: number;
  rate: number;
  batches: readonly IncomingUnits[];
  restockDate: string | null;
  today: string;
  /** The queue's projection when the caller made its own (per location, located-planning.ts); else projectQueue's. */
  projection?: readonly ProjectedPoint[];
}): RiskReason[] {
  const reasons: RiskReason[] = [];
  if (input.overduePromises > 0) reasons.push("promise-passed");
  if (input.waitingUnits <= 0) return reasons;
  const next = (input.projection ?? projectQueue(input.waitingUnits, input.rate, input.batches, input.today))[0];
  if (next && next.after > 0) reasons.push("outgrows-next-batch");
  if (!next && !(input.restockDate !== null && input.restockDate >= input.today)) reasons.push("no-restock-date");
  return reasons;
}

export interface PromiseOutcome {
  /** The first ship date promised, YYYY-MM-DD. */
  promised: string;
  /** The day it shipped, YYYY-MM-DD. */
  shipped: string;
}

export interface PromiseAccuracy {
  /** Shipped lines that had a promised date. */
  lines: number;
  /** Of them, shipped on or before the first date promised. */
  onTime: number;
  /** onTime / lines; null without lines. */
  share: number | null;
  /** Mean days late over all those lines (an on-time line counts 0); null without lines. */
  meanSlipDays: number | null;
}

/** Promise accuracy from each shipped line's first promise and ship day. */
export function promiseAccuracy(outcomes: readonly PromiseOutcome[]): PromiseAccuracy {
  let onTime = 0;
  let slip = 0;
  for (const o of outcomes) {
    const late = daysBetween(o.promised, o.shipped);
    if (late <= 0) onTime++;
    else slip += late;
  }
  return accuracyFromTotals(outcomes.length, onTime, slip);
}

/** The same from totals (the dashboard counts them in SQL). */
export function accuracyFromTotals(lines: number, onTime: number, lateDays: number): PromiseAccuracy {
  if (lines <= 0) return { lines: 0, onTime: 0, share: null, meanSlipDays: null };
  return { lines, onTime, share: onTime / lines, meanSlipDays: lateDays / lines };
}

export interface LineHistoryEvent {
  lineItemId: string;
  /** YYYY-MM-DD the event happened (shop's day). */
  day: string;
  /** Units of the line waiting after the event. */
  waiting: number;
}

/**
 * Units waiting at the end of each day from `from` to `to`: each line counts the waiting
 * units of its last event on or before that day.
 */
export function waitingByDay(events: readonly LineHistoryEvent[], from: string, to: string): DailyUnits[] {
  const sorted = [...events].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const current = new Map<string, number>();
  let total = 0;
  let i = 0;
  const out: DailyUnits[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    for (; i < sorted.length && sorted[i]!.day <= day; i++) {
      const e = sorted[i]!;
      total += Math.max(0, e.waiting) - (current.get(e.lineItemId) ?? 0);
      current.set(e.lineItemId, Math.max(0, e.waiting));
    }
    out.push({ day, units: total });
  }
  return out;
}
