// `IN (...)` lists built from data must stay under SQLite's bound-parameter limit: Prisma
// refuses a statement with more than 999 on SQLite ("the query parameter limit supported by
// your database is exceeded"), and a restock can change thousands of lines at once.

/** Values per `in: [...]` list; leaves room for the statement's other parameters. */
export const IN_LIST_MAX = 500;

export function chunks<T>(items: readonly T[], size = IN_LIST_MAX): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `query` once per chunk of `ids`, one after another (it may be a transaction), and joins the rows. */
export async function inChunks<T, R>(ids: Iterable<T>, query: (chunk: T[]) => Promise<R[]>, size = IN_LIST_MAX): Promise<R[]> {
  const out: R[] = [];
  for (const chunk of chunks([...ids], size)) for (const row of await query(chunk)) out.push(row);
  return out;
}

/** Runs a write once per chunk of `ids`; returns the summed row counts. */
export async function eachChunk<T>(
  ids: Iterable<T>,
  write: (chunk: T[]) => Promise<{ count: number } | unknown>,
  size = IN_LIST_MAX,
): Promise<number> {
  let count = 0;
  for (const chunk of chunks([...ids], size)) {
    const r = await write(chunk);
    if (r && typeof r === "object" && "count" in r && typeof r.count === "number") count += r.count;
  }
  return count;
}
