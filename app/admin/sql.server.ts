// Hand-written SQL for the aggregates Prisma cannot express (sums over a text price
// column, durations, date buckets, percentiles). Both providers run the same query
// shape; only date arithmetic and placeholders differ, and they are chosen here.
import type { Db, Tx } from "../db/client.server.ts";
import { dialectOf, type Dialect } from "../db/dialect.ts";
import { SqlParams } from "../db/sql-params.ts";

export { dialectOf, SqlParams, type Dialect };

/**
 * Seconds from `from` to `to` (both timestamp column expressions, quoted). On PostgreSQL
 * date_part, a double: EXTRACT returns numeric since 14, slower to compute and to average.
 */
export function secondsBetween(dialect: Dialect, to: string, from: string): string {
  return dialect === "postgres" ? `date_part('epoch', ${to} - ${from})` : `((julianday(${to}) - julianday(${from})) * 86400.0)`;
}

/** YYYY-MM-DD of a timestamp column (UTC). */
export function dayOf(dialect: Dialect, column: string): string {
  return dialect === "postgres" ? `to_char(${column}, 'YYYY-MM-DD')` : `strftime('%Y-%m-%d', ${column})`;
}

/**
 * Whole days since 1970-01-01 (UTC) of a timestamp column: an integer, so a GROUP BY on it
 * sorts numbers rather than the YYYY-MM-DD strings dayOf builds (SQLite sorts every row it
 * groups). julianday(1970-01-01T00:00Z) = 2440587.5; CAST truncates, and every date here is
 * after 1970, so it floors.
 */
export function epochDayOf(dialect: Dialect, column: string): string {
  return dialect === "postgres" ? `(CAST(${column} AS DATE) - DATE '1970-01-01')` : `CAST(julianday(${column}) - 2440587.5 AS INTEGER)`;
}

/**
 * SQLite only: read a table through the named index. Its planner prefers an index whose order
 * matches a GROUP BY even when it must then fetch every row of the shop's whole history from
 * the table (5,000 variants, 100,000 lines: ~7x slower than scanning the window's covering
 * index and sorting). PostgreSQL plans these well by itself.
 */
export function indexedBy(dialect: Dialect, index: string): string {
  return dialect === "postgres" ? "" : ` INDEXED BY "${index}"`;
}

/** Money in a text column, as a number the database can sum. */
export const moneyOf = (column: string) => `CAST(${column} AS DECIMAL(18,4))`;

/** Raw results come back as number, bigint (PostgreSQL counts), Decimal or string. */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  const n = Number(String(value));
  return Number.isFinite(n) ? n : 0;
}

export async function rawQuery<T>(client: Db | Tx, params: SqlParams, sql: string): Promise<T[]> {
  return (await client.$queryRawUnsafe(sql, ...params.values)) as T[];
}
