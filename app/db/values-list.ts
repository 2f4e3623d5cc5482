// A multi-row `VALUES (...), (...)` with bound parameters, for set-based statements sent with
// $queryRawUnsafe: SQLite numbers parameters `?`, PostgreSQL `$1, $2, ...`. (Prisma.sql cannot
// be shared here: each generated client has its own runtime, and the SQLite and PostgreSQL
// clients would each want their own.)
import type { Dialect } from "./dialect.ts";

/**
 * `casts`: PostgreSQL types per column (`int`, `timestamp(3)`), for a VALUES list whose columns
 * are not inserted straight into a table (PostgreSQL would otherwise read them as text).
 */
export function valuesList(
  dialect: Dialect,
  rows: readonly (readonly unknown[])[],
  casts: readonly (string | null)[] = [],
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const marks = row.map((value, column) => {
      params.push(value);
      if (dialect !== "postgres") return "?";
      const cast = casts[column];
      return cast ? `$${params.length}::${cast}` : `$${params.length}`;
    });
    return `(${marks.join(", ")})`;
  });
  return { sql: tuples.join(", "), params };
}
