// The dashboard's numbers, each one aggregate query in the database (no row lists in
// JS): counts and sums through Prisma, money (a text column), durations, percentiles
// and day buckets through raw SQL per dialect (sql.server.ts). Time-based figures cover
// a window (90 days by default) so their cost stays bounded as a shop's history grows.
// Speed (bench/admin-queue.ts): the windowed queries read BackorderLine's covering index
// on (shop, backorderedAt, ...) and never the table; the wait counts and means share one
// pass; the waiting lines' count, units and revenue another. Each query's shape is chosen so
// the database sorts as little as it can (docs/decisions/0022-admin-figures-speed.md): the
// p90s keep only the top tenth, the cancellations sort orders once, the revenue groups by a
// day number, and SQLite is told to read the top variants from the window's index.
import { accuracyFromTotals, type PromiseAccuracy } from "../backorder/planning.ts";
import type { Db } from "../db/client.server.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { SqlParams, dialectOf, epochDayOf, indexedBy, moneyOf, num, rawQuery, secondsBetween } from "./sql.server.ts";
import { snapshotOf, type Snapshot, type SnapshotOptions } from "./figures-snapshot.server.ts";

export interface Money {
  currency: string;
  amount: number;
}

export interface WaitStats {
  /** Lines that got there in the window. */
  count: number;
  avgSeconds: number | null;
  p90Seconds: number | null;
}

export interface RevenueBucket {
  /** First day of the bucket, YYYY-MM-DD. */
  start: string;
  amount: number;
  lines: number;
}

export interface TopVariant {
  variantId: string;
  title: string;
  sku: string | null;
  lines: number;
  units: number;
}

export interface DashboardMetrics {
  windowDays: number;
  openLines: number;
  openUnits: number;
  waitingRevenue: Money[];
  toAllocation: WaitStats;
  toFulfilment: WaitStats;
  cancellation: { orders: number; cancelled: number; rate: number | null };
  revenueWon: { currency: string; granularity: "day" | "week"; buckets: RevenueBucket[] };
  topVariants: TopVariant[];
  promises: PromiseAccuracy;
}

const DAY_MS = 86_400_000;

export async function loadDashboard(
  client: Db,
  shop: string,
  { now = new Date(), windowDays = 90, granularity = "week" as "day" | "week", shopCurrency = "USD" } = {},
): Promise<DashboardMetrics> {
  const since = new Date(now.getTime() - windowDays * DAY_MS);
  const [open, waits, cancellation, topVariants, promises] = await Promise.all([
    loadWaiting(client, shop),
    loadWaits(client, shop, since),
    loadCancellation(client, shop, since),
    loadTopVariants(client, shop, since),
    loadPromiseAccuracy(client, shop, since),
  ]);
  const currency = open.revenue[0]?.currency ?? shopCurrency;
  const chartDays = granularity === "day" ? 30 : 84;
  const revenueWon = await loadRevenueWon(client, shop, currency, granularity, now, chartDays);
  return {
    windowDays,
    openLines: open.lines,
    openUnits: open.units,
    waitingRevenue: open.revenue,
    toAllocation: waits.toAllocation,
    toFulfilment: waits.toFulfilment,
    cancellation,
    revenueWon: { currency, granularity, buckets: revenueWon },
    topVariants,
    promises,
  };
}

export const dashboardKey = (granularity: "day" | "week", shopCurrency: string) => `dashboard:${granularity}:${shopCurrency}`;

/** The dashboard's figures as of their snapshot (figures-snapshot.server.ts): what the page loads. */
export function loadDashboardSnapshot(
  client: Db,
  shop: string,
  { granularity = "week" as "day" | "week", shopCurrency = "USD" } = {},
  options: SnapshotOptions = {},
): Promise<Snapshot<DashboardMetrics>> {
  return snapshotOf(
    client,
    shop,
    dashboardKey(granularity, shopCurrency),
    (now) => loadDashboard(client, shop, { now, granularity, shopCurrency }),
    options,
  );
}

/** Waiting lines, their units, and Σ unitPrice × waitingQuantity per currency (largest first): one pass. */
export async function loadWaiting(client: Db, shop: string): Promise<{ lines: number; units: number; revenue: Money[] }> {
  const p = new SqlParams(dialectOf(client));
  const rows = await rawQuery<{ currency: string; lines: unknown; units: unknown; amount: unknown }>(
    client,
    p,
    `SELECT "currency", COUNT(*) AS "lines", SUM("waitingQuantity") AS "units", SUM(${moneyOf('"unitPrice"')} * "waitingQuantity") AS "amount"
       FROM "BackorderLine" WHERE "shop" = ${p.p(shop)} AND "state" = '${LINE_STATE.waiting}'
      GROUP BY "currency"`,
  );
  return {
    lines: rows.reduce((s, r) => s + num(r.lines), 0),
    units: rows.reduce((s, r) => s + num(r.units), 0),
    revenue: rows.map((r) => ({ currency: r.currency, amount: Math.round(num(r.amount) * 100) / 100 })).sort((a, b) => b.amount - a.amount),
  };
}

/** Both wait figures: counts and means in one pass over the window, then each p90 (loadWaitStats). */
export async function loadWaits(client: Db, shop: string, since: Date): Promise<{ toAllocation: WaitStats; toFulfilment: WaitStats }> {
  const dialect = dialectOf(client);
  const p = new SqlParams(dialect);
  const toAlloc = secondsBetween(dialect, '"allocatedAt"', '"backorderedAt"');
  const toFul = secondsBetween(dialect, '"fulfilledAt"', '"backorderedAt"');
  const [row] = await rawQuery<{ na: unknown; aa: unknown; nf: unknown; af: unknown }>(
    client,
    p,
    `SELECT COUNT(CASE WHEN "allocatedAt" >= "backorderedAt" THEN 1 END) AS "na",
            AVG(CASE WHEN "allocatedAt" >= "backorderedAt" THEN ${toAlloc} END) AS "aa",
            COUNT(CASE WHEN "fulfilledAt" >= "backorderedAt" THEN 1 END) AS "nf",
            AVG(CASE WHEN "fulfilledAt" >= "backorderedAt" THEN ${toFul} END) AS "af"
       FROM "BackorderLine" WHERE "shop" = ${p.p(shop)} AND "backorderedAt" >= ${p.p(since)}`,
  );
  const [a90, f90] = await Promise.all([
    num(row?.na) > 0 ? waitP90(client, shop, "allocatedAt", since, num(row?.na)) : null,
    num(row?.nf) > 0 ? waitP90(client, shop, "fulfilledAt", since, num(row?.nf)) : null,
  ]);
  const stats = (n: unknown, avg: unknown, p90: number | null): WaitStats =>
    num(n) === 0 ? { count: 0, avgSeconds: null, p90Seconds: null } : { count: num(n), avgSeconds: num(avg), p90Seconds: p90 };
  return { toAllocation: stats(row?.na, row?.aa, a90), toFulfilment: stats(row?.nf, row?.af, f90) };
}

/**
 * Nearest-rank 90th percentile: the ceil(0.9 n)-th smallest wait, read as the
 * (n - ceil(0.9 n) + 1)-th largest. Counting from the top, LIMIT + OFFSET covers a tenth
 * of the rows, so both databases keep a bounded top-N sort instead of sorting them all.
 */
async function waitP90(client: Db, shop: string, until: "allocatedAt" | "fulfilledAt", since: Date, count: number): Promise<number | null> {
  const dialect = dialectOf(client);
  const p = new SqlParams(dialect);
  const seconds = secondsBetween(dialect, `"${until}"`, `"backorderedAt"`);
  const [row] = await rawQuery<{ s: unknown }>(
    client,
    p,
    `SELECT ${seconds} AS "s" FROM "BackorderLine"
      WHERE "shop" = ${p.p(shop)} AND "backorderedAt" >= ${p.p(since)} AND "${until}" >= "backorderedAt"
      ORDER BY 1 DESC LIMIT 1 OFFSET ${p.p(count - Math.ceil(0.9 * count))}`,
  );
  return row ? num(row.s) : null;
}

/**
 * Promise accuracy of the lines shipped in the window that had a promised date: shipped
 * by the day first promised (LinePromise; a shipment during that day, UTC, counts as on
 * time), and the whole days after it for the late ones (shipped the day after = 1).
 */
export async function loadPromiseAccuracy(client: Db, shop: string, since: Date): Promise<PromiseAccuracy> {
  const dialect = dialectOf(client);
  const p = new SqlParams(dialect);
  const late = secondsBetween(dialect, 'l."fulfilledAt"', 'pr."firstPromisedAt"');
  const wholeDays = dialect === "postgres" ? `FLOOR(${late} / 86400)` : `CAST(${late} / 86400 AS INTEGER)`;
  const [row] = await rawQuery<{ n: unknown; ontime: unknown; latedays: unknown }>(
    client,
    p,
    `SELECT COUNT(*) AS "n",
            SUM(CASE WHEN ${late} < 86400 THEN 1 ELSE 0 END) AS "ontime",
            SUM(CASE WHEN ${late} >= 86400 THEN ${wholeDays} ELSE 0 END) AS "latedays"
       FROM "LinePromise" pr JOIN "BackorderLine" l ON l."shop" = pr."shop" AND l."lineItemId" = pr."lineItemId"
      WHERE pr."shop" = ${p.p(shop)} AND l."fulfilledAt" >= ${p.p(since)}`,
  );
  return accuracyFromTotals(num(row?.n), num(row?.ontime), num(row?.latedays));
}

/**
 * Of the orders with a line backordered in the window, how many were cancelled. SQLite: the
 * window's lines grouped by order (one sort), where two COUNT(DISTINCT)s sorted them twice;
 * read from the window's index (its planner would walk (shop, orderId) over all history).
 * PostgreSQL keeps the COUNT(DISTINCT)s: it plans the GROUP BY as a walk of the (shop,
 * orderId) index over the shop's whole history, no faster here and slower as history grows.
 */
export async function loadCancellation(client: Db, shop: string, since: Date) {
  const dialect = dialectOf(client);
  const p = new SqlParams(dialect);
  const isCancelled = `"cancelledAt" IS NOT NULL OR "state" = '${LINE_STATE.cancelled}'`;
  const inWindow = `"shop" = ${p.p(shop)} AND "backorderedAt" >= ${p.p(since)}`;
  const [row] = await rawQuery<{ orders: unknown; cancelled: unknown }>(
    client,
    p,
    dialect === "postgres"
      ? `SELECT COUNT(DISTINCT "orderId") AS "orders", COUNT(DISTINCT CASE WHEN ${isCancelled} THEN "orderId" END) AS "cancelled"
           FROM "BackorderLine" WHERE ${inWindow}`
      : `SELECT COUNT(*) AS "orders", SUM("c") AS "cancelled"
           FROM (SELECT MAX(CASE WHEN ${isCancelled} THEN 1 ELSE 0 END) AS "c" FROM "BackorderLine"${indexedBy(dialect, "BackorderLine_window_idx")} WHERE ${inWindow} GROUP BY "orderId") AS "o"`,
  );
  const orders = num(row?.orders);
  const cancelled = num(row?.cancelled);
  return { orders, cancelled, rate: orders === 0 ? null : cancelled / orders };
}

/**
 * Revenue won by backorders: sales that happened while the variant was out of stock
 * (line backordered at some point) and were not cancelled, unitPrice × quantity, by the
 * order's day; days are folded into weeks (Monday start) here, at most 84 rows. A line
 * goes short at or after it is ordered, so the window on backorderedAt (the index's range)
 * keeps every line the window on orderedAt wants. Grouped by day number (epochDayOf), an
 * integer: cheaper to sort than a formatted date.
 */
export async function loadRevenueWon(
  client: Db,
  shop: string,
  currency: string,
  granularity: "day" | "week",
  now: Date,
  days: number,
): Promise<RevenueBucket[]> {
  const dialect = dialectOf(client);
  const p = new SqlParams(dialect);
  const todayMs = Date.parse(now.toISOString().slice(0, 10));
  let firstMs = todayMs - (days - 1) * DAY_MS;
  if (granularity === "week") firstMs -= ((new Date(firstMs).getUTCDay() + 6) % 7) * DAY_MS;
  const rows = await rawQuery<{ day: unknown; amount: unknown; lines: unknown }>(
    client,
    p,
    `SELECT ${epochDayOf(dialect, '"orderedAt"')} AS "day", SUM(${moneyOf('"unitPrice"')} * "quantity") AS "amount", COUNT(*) AS "lines"
       FROM "BackorderLine"
      WHERE "shop" = ${p.p(shop)} AND "backorderedAt" >= ${p.p(new Date(firstMs))} AND "cancelledAt" IS NULL AND "state" <> '${LINE_STATE.cancelled}'
        AND "currency" = ${p.p(currency)} AND "orderedAt" >= ${p.p(new Date(firstMs))}
      GROUP BY 1`,
  );
  const step = granularity === "week" ? 7 : 1;
  const buckets: RevenueBucket[] = [];
  for (let ms = firstMs; ms <= todayMs; ms += step * DAY_MS) {
    buckets.push({ start: new Date(ms).toISOString().slice(0, 10), amount: 0, lines: 0 });
  }
  for (const r of rows) {
    const i = Math.floor((num(r.day) * DAY_MS - firstMs) / (step * DAY_MS));
    const b = buckets[i];
    if (!b) continue;
    b.amount = Math.round((b.amount + num(r.amount)) * 100) / 100;
    b.lines += num(r.lines);
  }
  return buckets;
}

/** Variants with the most backordered lines in the window. */
export async function loadTopVariants(client: Db, shop: string, since: Date, take = 8): Promise<TopVariant[]> {
  // Raw SQL: COUNT(*) over the covering index (Prisma's groupBy counts a column the index lacks).
  const dialect = dialectOf(client);
  const p = new SqlParams(dialect);
  const rows = await rawQuery<{ variantId: string; lines: unknown; units: unknown }>(
    client,
    p,
    `SELECT "variantId", COUNT(*) AS "lines", SUM("quantity") AS "units" FROM "BackorderLine"${indexedBy(dialect, "BackorderLine_window_idx")}
      WHERE "shop" = ${p.p(shop)} AND "backorderedAt" >= ${p.p(since)}
      GROUP BY "variantId" ORDER BY 2 DESC, 1 ASC LIMIT ${p.p(take)}`,
  );
  const groups = rows.map((r) => ({ variantId: r.variantId, _count: { lineItemId: num(r.lines) }, _sum: { quantity: num(r.units) } }));
  const ids = groups.map((g) => g.variantId);
  const variants = await client.variant.findMany({
    where: { shop, variantId: { in: ids } },
    select: { variantId: true, productTitle: true, title: true, sku: true },
  });
  const byId = new Map(variants.map((v) => [v.variantId, v]));
  // Variants the catalog sync has not brought in yet: name them after one of their lines.
  const fallbacks = await Promise.all(
    ids
      .filter((id) => !byId.has(id))
      .map((variantId) =>
        client.backorderLine.findFirst({ where: { shop, variantId }, select: { variantId: true, title: true, sku: true } }),
      ),
  );
  const lineById = new Map(fallbacks.filter((l) => l !== null).map((l) => [l.variantId, l]));
  return groups.map((g) => {
    const v = byId.get(g.variantId);
    const l = lineById.get(g.variantId);
    const title = v
      ? v.title && v.title !== "Default Title"
        ? `${v.productTitle} — ${v.title}`
        : v.productTitle
      : (l?.title ?? g.variantId);
    return { variantId: g.variantId, title, sku: v?.sku ?? l?.sku ?? null, lines: g._count.lineItemId, units: g._sum.quantity ?? 0 };
  });
}
