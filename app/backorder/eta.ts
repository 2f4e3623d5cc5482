// When does the Nth unit in a variant's backorder queue ship? Pure date arithmetic on
// calendar dates (YYYY-MM-DD, the shop's time zone), so the admin queue page, the
// storefront metafield and the tests all promise the same day. Rules, and why, in
// docs/decisions/0003-eta.md.

export interface RestockPlan {
  /** Expected arrival of the next restock, YYYY-MM-DD; null = none announced. */
  restockDate: string | null;
  /** Units that restock brings; null = unknown (assumed to cover the whole queue). */
  incomingQuantity: number | null;
  /** Days from ordering stock to having it: the gap between replenishment cycles. */
  leadTimeDays: number;
  /** Business days between stock arriving and the parcel leaving. */
  processingDays: number;
  /** YYYY-MM-DD, today in the shop's time zone. */
  today: string;
  /**
   * Stock the merchant expects (IncomingBatch), in any order: served in date order with the
   * restock above as one more batch. Absent or empty: the restock date and cycles alone.
   */
  batches?: readonly IncomingUnits[];
}

export interface IncomingUnits {
  /** YYYY-MM-DD */
  date: string;
  quantity: number;
  /**
   * Where the batch arrives (IncomingBatch.locationId); null/absent = anywhere. Only
   * located-eta.ts reads it: the unit-number functions here treat every batch as the shop's.
   */
  locationId?: string | null;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(date: string): number | null {
  if (!ISO_DATE.test(date)) return null;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? null : ms;
}

const formatDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Restock dates are calendar dates, stored as midnight UTC: the stored instant and back. */
export const calendarDate = (d: Date | null): string | null => (d ? formatDate(d.getTime()) : null);
export const fromCalendarDate = (date: string): Date => new Date(`${date}T00:00:00Z`);

export function addDays(date: string, days: number): string {
  const ms = parseDate(date);
  if (ms === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return formatDate(ms + days * DAY_MS);
}

const isWeekend = (ms: number): boolean => {
  const d = new Date(ms).getUTCDay();
  return d === 0 || d === 6;
};

/**
 * The date `days` business days after `date` (Monday–Friday; public holidays are not
 * known to us). A start on a weekend first rolls to Monday: parcels leave on working days.
 */
export function addBusinessDays(date: string, days: number): string {
  let ms = parseDate(date);
  if (ms === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  while (isWeekend(ms)) ms += DAY_MS;
  for (let left = Math.max(0, Math.floor(days)); left > 0;) {
    ms += DAY_MS;
    if (!isWeekend(ms)) left--;
  }
  return formatDate(ms);
}

const nonNegative = (n: number): number => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

/**
 * Arrival date of the stock that covers the queue's `unit`-th unit (1-based). The
 * incoming batches and the next restock (its `incomingQuantity` units) cover the queue in
 * date order; later units wait for further cycles of `incomingQuantity`, each
 * `leadTimeDays` after the previous arrival.
 */
export function arrivalForUnit(unit: number, plan: RestockPlan): string | null {
  if (!Number.isFinite(unit) || unit < 1) return null;
  const schedule = restockSchedule(plan);
  if (schedule === null) return null;
  // Units are served by the scheduled arrivals in date order; the rest wait for further
  // cycles after the last one, or (no date ahead) from a lead time after today.
  let covered = 0;
  for (const a of schedule.arrivals) {
    covered += a.quantity;
    if (unit <= covered) return a.date;
  }
  return schedule.beyond(Math.floor(unit) - covered);
}

interface Arrival {
  ms: number;
  quantity: number;
  locationId: string | null;
}

/**
 * The plan's arrivals in the order they serve the queue, and the rule for the units beyond
 * them (located-eta.ts walks the queue through them). null when `today` is not a date.
 */
export function restockSchedule(plan: RestockPlan): {
  arrivals: { date: string; quantity: number; locationId: string | null }[];
  /** Arrival date of the `rest`-th unit (1-based) left after every arrival. */
  beyond: (rest: number) => string;
} | null {
  const today = parseDate(plan.today);
  if (today === null) return null;
  const lead = nonNegative(plan.leadTimeDays);
  const announced = plan.restockDate === null ? null : parseDate(plan.restockDate);
  const perCycle = plan.incomingQuantity !== null && plan.incomingQuantity > 0 ? Math.floor(plan.incomingQuantity) : null;
  const arrivals = scheduledArrivals(plan, today, announced, perCycle);
  const last = arrivals.length > 0 ? arrivals[arrivals.length - 1]!.ms : null;
  return {
    arrivals: arrivals.map((a) => ({ date: formatDate(a.ms), quantity: a.quantity, locationId: a.locationId })),
    // Past the last arrival, one cycle per `perCycle` units (a lone date's overflow: one lead
    // time); with no date ahead, the first stock a lead time from today, then every lead time.
    beyond: (rest) =>
      last !== null
        ? formatDate(last + (perCycle === null ? 1 : Math.ceil(rest / perCycle)) * lead * DAY_MS)
        : formatDate(today + lead * DAY_MS + (perCycle === null ? 0 : Math.ceil(rest / perCycle) - 1) * lead * DAY_MS),
  };
}

/**
 * The restock date (with its quantity; unknown = the whole queue) and the batches, from
 * today on, in date order. A date already behind us did not bring the stock (or the queue
 * would be empty): it is left out rather than promise a day that has passed.
 */
function scheduledArrivals(plan: RestockPlan, today: number, announced: number | null, perCycle: number | null) {
  const arrivals: Arrival[] = [];
  for (const b of plan.batches ?? []) {
    const ms = parseDate(b.date);
    const quantity = nonNegative(b.quantity);
    if (ms !== null && ms >= today && quantity > 0) arrivals.push({ ms, quantity, locationId: b.locationId ?? null });
  }
  if (announced !== null && announced >= today)
    arrivals.push({ ms: announced, quantity: perCycle ?? Number.POSITIVE_INFINITY, locationId: null });
  // Stable: on the same day, batches come before the restock date's open-ended quantity.
  return arrivals.sort((a, b) => a.ms - b.ms);
}

/**
 * Promised ship date of the queue's `unit`-th unit (units ahead + 1): its stock's
 * arrival plus the shop's processing days (business days). Never before today.
 * null when the unit or the plan's dates are invalid.
 */
export function shipDateForUnit(unit: number, plan: RestockPlan): string | null {
  const arrival = arrivalForUnit(unit, plan);
  return arrival === null ? null : shipDateAfterArrival(arrival, plan);
}

/** An arrival date plus the shop's processing days (business days), never before today. */
export function shipDateAfterArrival(arrival: string, plan: Pick<RestockPlan, "processingDays" | "today">): string {
  const ship = addBusinessDays(arrival, nonNegative(plan.processingDays));
  return ship < plan.today ? addBusinessDays(plan.today, 0) : ship;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's calendar date in `timeZone` (IANA name); UTC when the name is not valid. */
export function todayIn(timeZone: string, now: Date): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    const options = { year: "numeric", month: "2-digit", day: "2-digit" } as const;
    try {
      format = new Intl.DateTimeFormat("en-CA", { ...options, timeZone });
    } catch {
      format = new Intl.DateTimeFormat("en-CA", { ...options, timeZone: "UTC" });
    }
    dayFormats.set(timeZone, format);
  }
  // en-CA formats as YYYY-MM-DD.
  const parts = format.formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}
