// The queue page's URL state (filters, sort, page cursor) as plain data: parsed from and
// written back to search params, so filtered views are links and the CSV export sees
// exactly what the page shows.

export const QUEUE_STATES = ["waiting", "open", "allocated", "fulfilled", "cancelled", "all"] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export const QUEUE_SORTS = ["oldest", "newest", "waiting"] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

/** "Older than" choices, in days. */
export const AGE_CHOICES = [3, 7, 14, 30, 60] as const;

export const PAGE_SIZE = 50;

/** Position in a keyset: the sort key's value and the line id as tie-break. */
export interface Cursor {
  v: string | number;
  id: string;
}

export interface QueueQuery {
  state: QueueState;
  sort: QueueSort;
  search: string;
  variantId: string | null;
  /** Only lines ordered at least this many days ago. */
  minAgeDays: number | null;
  after: Cursor | null;
  before: Cursor | null;
}

export const DEFAULT_QUERY: QueueQuery = {
  state: "waiting",
  sort: "oldest",
  search: "",
  variantId: null,
  minAgeDays: null,
  after: null,
  before: null,
};

const oneOf = <T extends string>(choices: readonly T[], value: string | null, fallback: T): T =>
  choices.includes(value as T) ? (value as T) : fallback;

// base64url without Buffer: the page's links are built in the browser too.
function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(raw: string): string {
  const binary = atob(raw.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

export function encodeCursor(c: Cursor): string {
  return toBase64Url(JSON.stringify([c.v, c.id]));
}

export function decodeCursor(raw: string | null): Cursor | null {
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(fromBase64Url(raw));
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [v, id] = parsed as unknown[];
    if ((typeof v !== "string" && typeof v !== "number") || typeof id !== "string") return null;
    return { v, id };
  } catch {
    return null; // a hand-edited URL: start from the first page
  }
}

export function parseQueueQuery(params: URLSearchParams): QueueQuery {
  const age = Number(params.get("age"));
  return {
    state: oneOf(QUEUE_STATES, params.get("state"), "waiting"),
    sort: oneOf(QUEUE_SORTS, params.get("sort"), "oldest"),
    search: (params.get("q") ?? "").trim().slice(0, 100),
    variantId: params.get("variant")?.trim() || null,
    minAgeDays: Number.isInteger(age) && age > 0 && age <= 3650 ? age : null,
    after: decodeCursor(params.get("after")),
    before: decodeCursor(params.get("before")),
  };
}

/** Search params for a query (defaults left out, so URLs stay short). */
export function queueQueryParams(q: QueueQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (q.state !== DEFAULT_QUERY.state) p.set("state", q.state);
  if (q.sort !== DEFAULT_QUERY.sort) p.set("sort", q.sort);
  if (q.search) p.set("q", q.search);
  if (q.variantId) p.set("variant", q.variantId);
  if (q.minAgeDays) p.set("age", String(q.minAgeDays));
  if (q.after) p.set("after", encodeCursor(q.after));
  if (q.before) p.set("before", encodeCursor(q.before));
  return p;
}
