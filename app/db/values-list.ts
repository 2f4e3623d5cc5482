// A multi-row `VALUES (...), (...)` with bound parameters, for set-based statements sent with
// $queryRawUnsafe: SQLite numbers parameters `?`, PostgreSQL `$1, $2, ...`. (Prisma.sql cannot
// be shared here: each generated client has its own runtime, and the SQLite and PostgreSQL
// clients would each want their own.)
import type { Dialect } from "./dialect.ts";

export function valuesList(dialect: Dialect, rows: readonly (readonly unknown[])[]): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const marks = row.map((value) => {
      params.push(value);
      return dialect === "postgres" ? `$${params.length}` : "?";
    });
    return `(${marks.join(", ")})`;
  });
  return { sql: tuples.join(", "), params };
}
