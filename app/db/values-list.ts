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

/**
 * PostgreSQL: rows as one JSON parameter (`mark`), read back as `table`'s row type, so each
 * column has its own type (a missing key is NULL). Bound one value at a time, the client turns
 * each of a chunk's thousands of values into its query plan and back, costing as much as the
 * statement itself (decision 0039). A Date goes as its ISO string, whose "Z" PostgreSQL ignores
 * for a column without time zone: what is stored is UTC, as the client's own writes store it.
 */
export function jsonRows(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  mark = "$1",
): { select: string; param: string } {
  const objects = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null])));
  const list = columns.map((c) => `"${c}"`).join(", ");
  return {
    select: `SELECT ${list} FROM json_populate_recordset(NULL::"${table}", ${mark}::json)`,
    param: JSON.stringify(objects),
  };
}
