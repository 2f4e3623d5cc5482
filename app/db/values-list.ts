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
 * Rows as one JSON parameter (`mark`) instead of a parameter per value: bound one at a time,
 * the client turns each of a chunk's thousands of values into its query plan and back, which
 * cost as much as the statement itself (decision 0039), and SQLite's 999 parameters cut a
 * chunk's rows into dozens of statements. `select` is a SELECT of the columns, rows in the list's
 * order (ids given by an INSERT follow it), for an `INSERT … SELECT` (SQLite needs a WHERE
 * before an ON CONFLICT: it has one).
 *
 * PostgreSQL reads the rows as `table`'s row type, so each column has its own type; a Date goes
 * as its ISO string, whose "Z" is ignored for a column without time zone: UTC is stored, as the
 * client's own writes store it. SQLite has no column types to read them with: a Date is written
 * as the libsql adapter writes one (ISO 8601, "+00:00"), numbers and text as they are.
 */
export function jsonRows(
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  mark = dialect === "postgres" ? "$1" : "?",
): { select: string; param: string } {
  if (dialect === "postgres") {
    const objects = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, wellFormed(row[i])])));
    return {
      select: `SELECT ${columns.map((c) => `r."${c}"`).join(", ")}
        FROM json_populate_recordset(NULL::"${table}", ${mark}::json) WITH ORDINALITY AS r ORDER BY r."ordinality"`,
      param: JSON.stringify(objects),
    };
  }
  const sqliteValue = (v: unknown) => (v instanceof Date ? v.toISOString().replace("Z", "+00:00") : wellFormed(v));
  return {
    select: `SELECT ${columns.map((c, i) => `json_extract("value", '$[${i}]') AS "${c}"`).join(", ")}
      FROM json_each(${mark}) WHERE true ORDER BY "key"`,
    param: JSON.stringify(rows.map((row) => columns.map((_, i) => sqliteValue(row[i])))),
  };
}

/**
 * A string's lone surrogates as U+FFFD (the client refuses them bound: its query's JSON), so
 * that both databases store the same text: PostgreSQL's JSON refuses their `\ud800` escapes.
 */
function wellFormed(v: unknown): unknown {
  return typeof v === "string" ? (v as string & { toWellFormed(): string }).toWellFormed() : (v ?? null);
}
