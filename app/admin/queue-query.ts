// The queue page's URL state (filters, sort, page cursor) as plain data: parsed from and
// written back to search params, so filtered views are links and the CSV export sees
// exactly what the page shows.
import { LINE_STATE } from "../backorder/line-state.ts";

/** A line state, or "open" (waiting or allocated), or "all". */
export const QUEUE_STATES = [LINE_STATE.waiting, "open", LINE_STATE.allocated, LINE_STATE.fulfilled, LINE_STATE.cancelled, "all"] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export const QUEUE_SORTS = ["oldest", "newest", "waiting"] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

/** "Older than" choices, in days. */
export const AGE_CHOICES = [3, 7, 14, 30, 60] as const;

export const PAGE_SIZE = 50;

/**
 * Position in a keyset: the sort it was written for, the sort key's value (an ISO time for
 * the date sorts, a unit count for "waiting") and the line id as tie-break.
 */
export interface Cursor {
  sort: QueueSort;
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
  state: LINE_STATE.waiting,
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
  return toBase64Url(JSON.stringify([c.sort, c.v, c.id]));
}

// What a cursor may hold: the values we write, within the bounds the data has (dates
// 1970..2200, quantities 0..1e9, Shopify ids); anything else would reach the database
// as an invalid date, NaN or an out-of-range integer.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const LINE_ID = /^(?:\d{1,19}|gid:\/\/shopify\/\w{1,40}\/\d{1,19})$/;
const MAX_UNITS = 1_000_000_000;

function validValue(sort: QueueSort, v: unknown): v is string | number {
  if (sort === "waiting") return Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_UNITS;
  if (typeof v !== "string" || !ISO_TIME.test(v)) return false;
  const t = new Date(v);
  return !Number.isNaN(t.getTime()) && t.toISOString() === v && t.getUTCFullYear() >= 1970 && t.getUTCFullYear() <= 2200;
}

/**
 * The cursor in a URL, or null when it is not one we could have written for this sort
 * (hand-edited, cut short, or from a link of another sort): the page then starts from the
 * beginning, as it does for any other URL value it cannot use.
 */
export function decodeCursor(raw: string | null, sort: QueueSort): Cursor | null {
  if (!raw || raw.length > 200) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(raw));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [written, v, id] = parsed as unknown[];
  if (written !== sort || !validValue(sort, v) || typeof id !== "string" || !LINE_ID.test(id)) return null;
  return { sort, v, id };
}

export function parseQueueQuery(params: URLSearchParams): QueueQuery {
  const age = Number(params.get("age"));
  const sort = oneOf(QUEUE_SORTS, params.get("sort"), "oldest");
  return {
    state: oneOf(QUEUE_STATES, params.get("state"), LINE_STATE.waiting),
    sort,
    search: (params.get("q") ?? "").trim().slice(0, 100),
    variantId: params.get("variant")?.trim() || null,
    minAgeDays: Number.isInteger(age) && age > 0 && age <= 3650 ? age : null,
    after: decodeCursor(params.get("after"), sort),
    before: decodeCursor(params.get("before"), sort),
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
