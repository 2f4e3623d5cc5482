// The dashboard loader as it was before the planning work (issue 16), kept so
// bench/admin-queue.ts can time it beside the current one in the same run.
// The dashboard's numbers, each one aggregate query in the database (no row lists in
// JS): counts and sums through Prisma, money (a text column), durations, percentiles
// and day buckets through raw SQL per dialect (sql.server.ts). Time-based figures cover
// a window (90 days by default) so their cost stays bounded as a shop's history grows.
import type { Db } from "../../app/db/client.server.ts";
import { SqlParams, dayOf, dialectOf, moneyOf, num, rawQuery, secondsBetween } from "../../app/admin/sql.server.ts";

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
}

const DAY_MS = 86_400_000;

export async function loadDashboard(
  client: Db,
  shop: string,
  { now = new Date(), windowDays = 90, granularity = "week" as "day" | "week", shopCurrency = "USD" } = {},
): Promise<DashboardMetrics> {
  const since = new Date(now.getTime() - windowDays * DAY_MS);
  const [open, waitingRevenue, toAllocation, toFulfilment, cancellation, topVariants] = await Promise.all([
    client.backorderLine.aggregate({ where: { shop, state: "waiting" }, _count: { _all: true }, _sum: { waitingQuantity: true } }),
    loadWaitingRevenue(client, shop),
    loadWaitStats(client, shop, "allocatedAt", since),
    loadWaitStats(client, shop, "fulfilledAt", since),
    loadCancellation(client, shop, since),
    loadTopVariants(client, shop, since),
  ]);
  const currency = waitingRevenue[0]?.currency ?? shopCurrency;
  const chartDays = granularity === "day" ? 30 : 84;
  const revenueWon = await loadRevenueWon(client, shop, currency, granularity, now, chartDays);
  return {
    windowDays,
    openLines: open._count._all,
    openUnits: open._sum.waitingQuantity ?? 0,
    waitingRevenue,
    toAllocation,
    toFulfilment,
    cancellation,
    revenueWon: { currency, granularity, buckets: revenueWon },
    topVariants,
  };
}

/** Σ unitPrice × waitingQuantity of waiting lines, per currency (largest first). */
export async function loadWaitingRevenue(client: Db, shop: string): Promise<Money[]> {
  const p = new SqlParams(dialectOf(client));
  const rows = await rawQuery<{ currency: string; amount: unknown }>(
    client,
    p,
    `SELECT "currency", SUM(${moneyOf('"unitPrice"')} * "waitingQuantity") AS "amount"
       FROM "BackorderLine" WHERE "shop" = ${p.p(shop)} AND "state" = 'waiting'
      GROUP BY "currency"`,
  );
  return rows.map((r) => ({ currency: r.currency, amount: Math.round(num(r.amount) * 100) / 100 })).sort((a, b) => b.amount - a.amount);
}

/**
 * Time from backorder to `until` for lines backordered in the window: mean, and p90 as
 * the value at rank ⌈0.9·n⌉ (nearest-rank), read with ORDER BY … LIMIT 1 OFFSET.
 */
export async function loadWaitStats(client: Db, shop: string, until: "allocatedAt" | "fulfilledAt", since: Date): Promise<WaitStats> {
  const dialect = dialectOf(client);
  const seconds = secondsBetween(dialect, `"${until}"`, `"backorderedAt"`);
  const from = (p: SqlParams) =>
    `FROM "BackorderLine" WHERE "shop" = ${p.p(shop)} AND "backorderedAt" IS NOT NULL AND "backorderedAt" >= ${p.p(since)}
       AND "${until}" IS NOT NULL AND "${until}" >= "backorderedAt"`;
  const p1 = new SqlParams(dialect);
  const [summary] = await rawQuery<{ n: unknown; avg: unknown }>(
    client,
    p1,
    `SELECT COUNT(*) AS "n", AVG(${seconds}) AS "avg" ${from(p1)}`,
  );
  const count = num(summary?.n);
  if (count === 0) return { count: 0, avgSeconds: null, p90Seconds: null };
  const p2 = new SqlParams(dialect);
  const offset = Math.ceil(0.9 * count) - 1;
  const [p90] = await rawQuery<{ s: unknown }>(
    client,
    p2,
    `SELECT ${seconds} AS "s" ${from(p2)} ORDER BY 1 LIMIT 1 OFFSET ${p2.p(offset)}`,
  );
  return { count, avgSeconds: num(summary?.avg), p90Seconds: p90 ? num(p90.s) : null };
}

/** Of the orders with a line backordered in the window, how many were cancelled. */
export async function loadCancellation(client: Db, shop: string, since: Date) {
  const p = new SqlParams(dialectOf(client));
  const [row] = await rawQuery<{ orders: unknown; cancelled: unknown }>(
    client,
    p,
    `SELECT COUNT(DISTINCT "orderId") AS "orders",
            COUNT(DISTINCT CASE WHEN "cancelledAt" IS NOT NULL OR "state" = 'cancelled' THEN "orderId" END) AS "cancelled"
       FROM "BackorderLine"
      WHERE "shop" = ${p.p(shop)} AND "backorderedAt" IS NOT NULL AND "backorderedAt" >= ${p.p(since)}`,
  );
  const orders = num(row?.orders);
  const cancelled = num(row?.cancelled);
  return { orders, cancelled, rate: orders === 0 ? null : cancelled / orders };
}

/**
 * Revenue won by backorders: sales that happened while the variant was out of stock
 * (line backordered at some point) and were not cancelled, unitPrice × quantity, by the
 * order's day; days are folded into weeks (Monday start) here, at most 84 rows.
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
  const rows = await rawQuery<{ day: string; amount: unknown; lines: unknown }>(
    client,
    p,
    `SELECT ${dayOf(dialect, '"orderedAt"')} AS "day", SUM(${moneyOf('"unitPrice"')} * "quantity") AS "amount", COUNT(*) AS "lines"
       FROM "BackorderLine"
      WHERE "shop" = ${p.p(shop)} AND "backorderedAt" IS NOT NULL AND "cancelledAt" IS NULL AND "state" <> 'cancelled'
        AND "currency" = ${p.p(currency)} AND "orderedAt" >= ${p.p(new Date(firstMs))}
      GROUP BY 1`,
  );
  const step = granularity === "week" ? 7 : 1;
  const buckets: RevenueBucket[] = [];
  for (let ms = firstMs; ms <= todayMs; ms += step * DAY_MS) {
    buckets.push({ start: new Date(ms).toISOString().slice(0, 10), amount: 0, lines: 0 });
  }
  for (const r of rows) {
    const i = Math.floor((Date.parse(r.day) - firstMs) / (step * DAY_MS));
    const b = buckets[i];
    if (!b) continue;
    b.amount = Math.round((b.amount + num(r.amount)) * 100) / 100;
    b.lines += num(r.lines);
  }
  return buckets;
}

/** Variants with the most backordered lines in the window. */
export async function loadTopVariants(client: Db, shop: string, since: Date, take = 8): Promise<TopVariant[]> {
  const groups = await client.backorderLine.groupBy({
    by: ["variantId"],
    where: { shop, backorderedAt: { gte: since } },
    _count: { lineItemId: true },
    _sum: { quantity: true },
    orderBy: [{ _count: { lineItemId: "desc" } }, { variantId: "asc" }],
    take,
  });
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
