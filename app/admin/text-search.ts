// A merchant's search box as a Prisma filter: a literal, case-insensitive substring.
// Prisma's `contains` hands the term to LIKE unescaped, where % and _ are wildcards (a
// search for "%" matched everything); they and the escape character itself are escaped
// with `\`, PostgreSQL's LIKE escape, which SQLite uses too (app/db/sqlite-like-escape.ts).
import type { Prisma } from "../db/client.server.ts";
import { escapeLike } from "../db/sqlite-like-escape.ts";

/** SQLite's LIKE ignores ASCII case already; PostgreSQL needs ILIKE (mode insensitive). */
export function containsText(dialect: "sqlite" | "postgres", term: string): Prisma.StringFilter {
  const contains = escapeLike(term);
  return (dialect === "postgres" ? { contains, mode: "insensitive" } : { contains }) as Prisma.StringFilter;
}
