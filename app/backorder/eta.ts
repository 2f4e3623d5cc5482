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
 * Arrival date of the stock that covers the queue's `unit`-th unit (1-based). The next
 * restock covers the first `incomingQuantity` units; later units wait for further
 * cycles of the same size, each `leadTimeDays` after the previous one.
 */
export function arrivalForUnit(unit: number, plan: RestockPlan): string | null {
  if (!Number.isFinite(unit) || unit < 1) return null;
  const today = parseDate(plan.today);
  if (today === null) return null;
  const lead = nonNegative(plan.leadTimeDays);
  const announced = plan.restockDate === null ? null : parseDate(plan.restockDate);
  // A restock date already behind us did not bring the stock (or the queue would be
  // empty): treat it as unknown rather than promise a day that has passed.
  const firstArrival = announced !== null && announced >= today ? announced : today + lead * DAY_MS;
  const perCycle = plan.incomingQuantity !== null && plan.incomingQuantity > 0 ? Math.floor(plan.incomingQuantity) : null;
  const cycle = perCycle === null ? 0 : Math.ceil(Math.floor(unit) / perCycle) - 1;
  return formatDate(firstArrival + cycle * lead * DAY_MS);
}

/**
 * Promised ship date of the queue's `unit`-th unit (units ahead + 1): its stock's
 * arrival plus the shop's processing days (business days). Never before today.
 * null when the unit or the plan's dates are invalid.
 */
export function shipDateForUnit(unit: number, plan: RestockPlan): string | null {
  const arrival = arrivalForUnit(unit, plan);
  if (arrival === null) return null;
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
