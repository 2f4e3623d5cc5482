// SQLite's LIKE has no escape character unless the statement names one, PostgreSQL's is
// `\`, and Prisma writes no ESCAPE clause: so on SQLite a `contains` filter could never
// match a literal % or _ (a search for "%" matched every row). Every LIKE that Prisma sends
// to SQLite gets ESCAPE '\', and an escaped term (app/admin/text-search.ts) then means the
// same on both providers. Values are always bound parameters, so " LIKE ?" only occurs as
// Prisma's own operator.
import type { Client, InArgs, InStatement, Transaction } from "@libsql/client";

// A statement of our own that names its ESCAPE already (raw SQL) is left as it is.
const LIKE_PARAMETER = / LIKE \?(?! ESCAPE)/g;
const withEscape = (sql: string) => sql.replace(LIKE_PARAMETER, " LIKE ? ESCAPE '\\'");

type Executor = Pick<Client | Transaction, "execute">;

/** A term for Prisma's `contains`/`startsWith`: % and _ (and the escape itself) taken literally. */
export const escapeLike = (term: string): string => term.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Rewrites the statements `target.execute` runs (Prisma's driver adapter uses only execute for queries). */
export function escapeLikeOn<T extends Executor>(target: T): T {
  const execute = target.execute.bind(target) as (stmt: InStatement | string, args?: InArgs) => ReturnType<T["execute"]>;
  const rewritten = (stmt: InStatement | string, args?: InArgs) =>
    typeof stmt === "string" ? execute(withEscape(stmt), args) : execute({ ...stmt, sql: withEscape(stmt.sql) });
  target.execute = rewritten as T["execute"];
  return target;
}
