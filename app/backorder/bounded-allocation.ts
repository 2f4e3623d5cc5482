// The allocation of one variant from the lines that can change, not every open line.
//
// allocate() hands the shortage T out newest-first: with C a live line's "units ahead of it
// from the newest end" (the open units of every newer live line), it waits
// clamp(T − C, 0, open) units, carried by the shortage location that holds unit C. So the
// waiting lines are a FIFO suffix, and a line's result depends only on C, T and the locations.
//
// After a derivation every line of the variant is stored as allocate() said (consistent).
// Facts then change for some lines only (an order arrives, is edited, cancelled: "touched";
// lines still `pending` count as touched too) and for the levels. An untouched line keeps its
// open units, so only its C moves, by the change of the touched lines newer than it. Two
// facts of the stored state give C exactly at the boundary without reading the queue:
//   - b, the oldest untouched line with stored waiting > 0: every untouched line newer than it
//     was fully waiting (its C + open ≤ C_b < T_prev), and every untouched line older than it
//     waits 0. So the untouched lines newer than b hold W − Σtouched.waiting − b.waiting open
//     units, W being the stored waiting units of the whole variant, and
//     C_b = that + the open units of the touched live lines newer than b.
//   - with no untouched line newer than the window, C is simply counted from the newest end.
// From C_b the lines of a window around b are walked; untouched lines outside the window
// are unchanged when the window's oldest line is covered (older ones have a larger C) and its
// newest is fully waiting at the one shortage location their stored location already names
// (newer ones have a smaller C). Otherwise the window grows towards the side that failed.
// With shortage at two or more locations a new order moves every location boundary: the
// caller derives the whole variant (allocate) instead; that is exact, only not bounded.
import { compareIds, fifoCompare, type Level } from "./allocation.ts";

/** A line as stored: its current facts and the derived state written by the last derivation. */
export interface StoredLine {
  lineItemId: string;
  orderedAt: Date;
  /** Facts now (open 0 or cancelled: not live). */
  openQuantity: number;
  cancelled: boolean;
  /** Derived, as stored. */
  state: string;
  waitingQuantity: number;
  locationId: string | null;
}

export interface NewAllocation {
  waiting: number;
  /** The shortage location the line now carries; null: not waiting, keep the stored one. */
  locationId: string | null;
}

export const isLive = (l: Pick<StoredLine, "openQuantity" | "cancelled">) => !l.cancelled && l.openQuantity > 0;

/** The shortage per location in the order allocate() consumes it (locations with none left out). */
export function shortageSegments(levels: Level[], unreflected: number): { locationId: string; units: number }[] {
  const ordered = [...levels].sort((a, b) => compareIds(a.locationId, b.locationId));
  const shortage = new Map<string, number>();
  for (const l of ordered) if (l.available < 0) shortage.set(l.locationId, -l.available);
  if (unreflected > 0 && ordered.length > 0) {
    const lowest = ordered.reduce((a, b) => (b.available < a.available ? b : a));
    const short = unreflected - Math.max(0, lowest.available);
    if (short > 0) shortage.set(lowest.locationId, (shortage.get(lowest.locationId) ?? 0) + short);
  }
  return [...shortage].filter(([, units]) => units > 0).map(([locationId, units]) => ({ locationId, units }));
}

export interface WindowInput {
  levels: Level[];
  /** Open units of the live lines ordered after the newest level (allocation.ts, unreflectedDemand). */
  unreflected: number;
  /** Σ stored waitingQuantity over every line of the variant, touched ones included. */
  storedWaitingTotal: number;
  /** Every line whose facts changed since the variant was last derived, and every `pending` one. */
  touched: StoredLine[];
  /**
   * Every untouched live line ordered within the window's time range (ties included). When
   * an untouched line has stored waiting > 0, the oldest such line is in the window.
   */
  window: StoredLine[];
  /** Untouched live lines exist ordered before / after the window's range. */
  olderExist: boolean;
  newerExist: boolean;
  /** Stored location of the newest untouched line with waiting > 0 (when newerExist). */
  newestWaitingLocation: string | null;
}

export type WindowResult =
  | { kind: "done"; lines: Map<string, NewAllocation> }
  | { kind: "grow"; older: boolean; newer: boolean }
  /** Shortage at several locations: derive the whole variant. */
  | { kind: "full" };

export function allocateWindow(input: WindowInput): WindowResult {
  const segments = shortageSegments(input.levels, input.unreflected);
  if (segments.length > 1) return { kind: "full" };
  const total = segments[0]?.units ?? 0;
  const location = segments[0]?.locationId ?? null;
  const window = [...input.window].sort(fifoCompare);
  const { olderExist, newerExist } = input;
  if (window.length === 0 && (olderExist || newerExist)) return { kind: "grow", older: olderExist, newer: newerExist };
  const oldest = window[0];
  const newest = window.at(-1);

  // Lines whose C is known exactly: the window, and the touched lines beyond it on a side with no untouched line.
  const merged = [...window, ...input.touched].sort(fifoCompare);
  const inRange = (l: StoredLine) => (!olderExist || fifoCompare(l, oldest!) >= 0) && (!newerExist || fifoCompare(l, newest!) <= 0);
  const exact = merged.filter(inRange);
  const open = (l: StoredLine) => (isLive(l) ? l.openQuantity : 0);

  // C of each exact line, walking from an anchor whose C is known.
  const ahead = new Map<string, number>();
  if (!newerExist) {
    let c = 0;
    for (let i = exact.length - 1; i >= 0; i--) {
      ahead.set(exact[i]!.lineItemId, c);
      c += open(exact[i]!);
    }
  } else {
    const b = window.find((l) => l.waitingQuantity > 0);
    if (!b) return { kind: "grow", older: false, newer: true };
    const touchedWaiting = input.touched.reduce((s, l) => s + l.waitingQuantity, 0);
    const touchedNewer = input.touched.reduce((s, l) => (fifoCompare(l, b) > 0 ? s + open(l) : s), 0);
    const cb = input.storedWaitingTotal - touchedWaiting - b.waitingQuantity + touchedNewer;
    const at = exact.indexOf(b);
    let c = cb;
    for (let i = at; i < exact.length; i++) {
      ahead.set(exact[i]!.lineItemId, c);
      if (i + 1 < exact.length) c -= open(exact[i + 1]!);
    }
    c = cb;
    for (let i = at - 1; i >= 0; i--) {
      c += open(exact[i + 1]!);
      ahead.set(exact[i]!.lineItemId, c);
    }
  }
  const waitingAt = (l: StoredLine) => Math.min(open(l), Math.max(0, total - ahead.get(l.lineItemId)!));

  // Untouched lines beyond the window must come out as they are stored.
  const growOlder = olderExist && waitingAt(oldest!) > 0;
  const growNewer =
    newerExist &&
    (waitingAt(newest!) !== open(newest!) ||
      newest!.waitingQuantity !== open(newest!) ||
      newest!.locationId !== location ||
      input.newestWaitingLocation !== location);
  if (growOlder || growNewer) return { kind: "grow", older: growOlder, newer: growNewer };

  const lines = new Map<string, NewAllocation>();
  for (const l of merged) {
    let waiting: number;
    if (!isLive(l)) waiting = 0;
    else if (ahead.has(l.lineItemId)) waiting = waitingAt(l);
    else if (fifoCompare(l, oldest!) < 0)
      waiting = 0; // older than a covered line
    else waiting = open(l); // newer than a fully waiting line
    lines.set(l.lineItemId, { waiting, locationId: waiting > 0 ? location : null });
  }
  return { kind: "done", lines };
}

/** Reads of the stored lines of one variant; every list is of live lines in states pending, waiting or allocated. */
export interface LineReader {
  /** Up to `n` lines with stored waiting > 0, oldest (`"asc"`) or newest (`"desc"`) first by orderedAt. */
  waiting(order: "asc" | "desc", n: number): Promise<StoredLine[]>;
  /** Up to `n` lines with stored waiting 0, newest first by orderedAt. */
  newestCovered(n: number): Promise<StoredLine[]>;
  /** The orderedAt `n` lines away beyond `from` (before it for "older"), or null when fewer are there. */
  boundBeyond(from: Date, side: "older" | "newer", n: number): Promise<Date | null>;
  /** Every line ordered within [from, to] (null: unbounded). */
  between(from: Date | null, to: Date | null): Promise<StoredLine[]>;
  /** Up to `n` lines ordered before `from` ("older") or after it ("newer"). */
  beyond(from: Date, side: "older" | "newer", n: number): Promise<StoredLine[]>;
}

export interface BoundedFacts {
  levels: Level[];
  unreflected: number;
  storedWaitingTotal: number;
  touched: StoredLine[];
}

/** Lines an extreme-time read asks for beyond the touched ones (more while all it finds are touched). */
export const STEP = 16;

/** Lines per list a caller reads ahead (readerAhead) so that an event's first reads need no other: twice STEP beyond the touched ones. */
export const aheadSize = (touched: number) => 2 * STEP + touched;

/** orderedAt of the oldest or newest untouched live line of a read ordered by time; reads more while all are touched. */
async function extremeTime(
  read: (n: number) => Promise<StoredLine[]>,
  touched: ReadonlySet<string>,
  pick: "oldest" | "newest",
): Promise<Date | null> {
  for (let n = STEP + touched.size; ; n *= 2) {
    const rows = await read(n);
    const times = rows.filter((l) => !touched.has(l.lineItemId) && isLive(l)).map((l) => l.orderedAt.getTime());
    if (times.length > 0) return new Date(pick === "oldest" ? Math.min(...times) : Math.max(...times));
    if (rows.length < n) return null;
  }
}

/**
 * The new allocation of the touched lines and of a window of untouched ones around the
 * boundary; every other line keeps its stored state. Null: shortage at several locations,
 * derive the whole variant.
 */
export async function allocateBounded(
  facts: BoundedFacts,
  reader: LineReader,
): Promise<{ lines: Map<string, NewAllocation>; read: number } | null> {
  const touchedIds = new Set(facts.touched.map((l) => l.lineItemId));
  const untouched = (rows: StoredLine[]) => rows.filter((l) => !touchedIds.has(l.lineItemId) && isLive(l));
  // The window starts at b's time (all lines of that time: the read orders by time only, FIFO breaks ties).
  const bAt = await extremeTime((n) => reader.waiting("asc", n), touchedIds, "oldest");
  const anchorAt = bAt ?? (await extremeTime((n) => reader.newestCovered(n), touchedIds, "newest"));
  const lastWaitingAt = bAt && (await extremeTime((n) => reader.waiting("desc", n), touchedIds, "newest"));
  const newestWaiting = lastWaitingAt
    ? untouched(await reader.between(lastWaitingAt, lastWaitingAt))
        .filter((l) => l.waitingQuantity > 0)
        .sort(fifoCompare)
        .at(-1)
    : undefined;
  let from: Date | null = anchorAt;
  let to: Date | null = anchorAt;
  let span = 4; // the boundary moves by about the units the event changed: a few lines
  for (;;) {
    const window = anchorAt ? untouched(await reader.between(from, to)) : [];
    const exists = async (side: "older" | "newer", edge: Date | null) =>
      edge !== null && untouched(await reader.beyond(edge, side, touchedIds.size + 1)).length > 0;
    const result = allocateWindow({
      ...facts,
      window,
      olderExist: await exists("older", from),
      newerExist: await exists("newer", to),
      newestWaitingLocation: newestWaiting?.locationId ?? null,
    });
    if (result.kind === "full") return null;
    if (result.kind === "done") return { lines: result.lines, read: window.length + facts.touched.length };
    if (result.older && from) from = await reader.boundBeyond(from, "older", span);
    if (result.newer && to) to = await reader.boundBeyond(to, "newer", span);
    span *= 2;
  }
}

/**
 * The stored lines of one state that a caller read ahead: every line of that state whose
 * orderedAt lies outside `gap` (a closed range of epoch ms; null: no gap) is in `rows`.
 */
export interface StateAhead {
  rows: StoredLine[];
  gap: { lo: number; hi: number } | null;
}

export interface LinesAhead {
  pending: StateAhead;
  waiting: StateAhead;
  allocated: StateAhead;
}

/**
 * What reads of the `k` oldest and/or `k` newest lines of one state (ordered by time, ties cut
 * anywhere) tell: everything older than the k-th oldest and newer than the k-th newest; all
 * of them when a read found fewer than k. null: that end was not read.
 */
export function stateAhead(k: number, oldest: StoredLine[] | null, newest: StoredLine[] | null): StateAhead {
  const rows = new Map<string, StoredLine>();
  for (const l of [...(oldest ?? []), ...(newest ?? [])]) rows.set(l.lineItemId, l);
  const complete = (oldest !== null && oldest.length < k) || (newest !== null && newest.length < k);
  const lo = oldest ? Math.max(...oldest.map((l) => l.orderedAt.getTime())) : -Infinity;
  const hi = newest ? Math.min(...newest.map((l) => l.orderedAt.getTime())) : Infinity;
  return { rows: [...rows.values()], gap: complete || lo > hi ? null : { lo, hi } };
}

type State = keyof LinesAhead;

/**
 * A LineReader that answers from lines read ahead (one statement, `LinesAhead`) whenever they
 * hold the whole answer, and asks `fallback` otherwise. Each read keeps the database reader's
 * meaning: `waiting`, `newestCovered` and `boundBeyond` by stored state (waiting, allocated),
 * `between` and `beyond` the live lines among pending, waiting and allocated ones.
 */
export function readerAhead(ahead: LinesAhead, fallback: LineReader): LineReader & { misses: number } {
  const byTime = new Map<State, StoredLine[]>(
    (Object.keys(ahead) as State[]).map((s) => [s, [...ahead[s].rows].sort((a, b) => a.orderedAt.getTime() - b.orderedAt.getTime())]),
  );
  const covered = (s: State, lo: number, hi: number) => {
    const gap = ahead[s].gap;
    return gap === null || gap.lo > hi || gap.hi < lo;
  };
  const all = () => true;
  /** Up to n lines of state s beyond `from` (exclusive; null: from the end) in `dir`; undefined: not all known. */
  const scan = (s: State, from: number | null, dir: "asc" | "desc", n: number, keep: (l: StoredLine) => boolean) => {
    const list = byTime.get(s)!;
    const ordered = dir === "asc" ? list : [...list].reverse();
    const found = ordered
      .filter((l) => (from === null || (dir === "asc" ? l.orderedAt.getTime() > from : l.orderedAt.getTime() < from)) && keep(l))
      .slice(0, n);
    const far = found.length === n ? found[n - 1]!.orderedAt.getTime() : dir === "asc" ? Infinity : -Infinity;
    const near = from ?? (dir === "asc" ? -Infinity : Infinity);
    return covered(s, Math.min(near, far), Math.max(near, far)) ? found : undefined;
  };
  const dirOf = (side: "older" | "newer") => (side === "older" ? "desc" : "asc");
  const reader = {
    misses: 0,
    async waiting(order: "asc" | "desc", n: number) {
      const found = scan("waiting", null, order, n, all);
      if (found) return found;
      reader.misses++;
      return fallback.waiting(order, n);
    },
    async newestCovered(n: number) {
      const found = scan("allocated", null, "desc", n, all);
      if (found) return found;
      reader.misses++;
      return fallback.newestCovered(n);
    },
    async boundBeyond(from: Date, side: "older" | "newer", n: number) {
      const w = scan("waiting", from.getTime(), dirOf(side), n, all);
      const a = scan("allocated", from.getTime(), dirOf(side), n, all);
      if (!w || !a) {
        reader.misses++;
        return fallback.boundBeyond(from, side, n);
      }
      const times = [...w, ...a].map((l) => l.orderedAt.getTime()).sort((x, y) => (side === "older" ? y - x : x - y));
      return times.length >= n ? new Date(times[n - 1]!) : null;
    },
    async between(from: Date | null, to: Date | null) {
      const lo = from?.getTime() ?? -Infinity;
      const hi = to?.getTime() ?? Infinity;
      const states: State[] = ["pending", "waiting", "allocated"];
      if (!states.every((s) => covered(s, lo, hi))) {
        reader.misses++;
        return fallback.between(from, to);
      }
      return states.flatMap((s) => byTime.get(s)!.filter((l) => isLive(l) && l.orderedAt.getTime() >= lo && l.orderedAt.getTime() <= hi));
    },
    async beyond(from: Date, side: "older" | "newer", n: number) {
      const w = scan("waiting", from.getTime(), dirOf(side), n, isLive);
      const a = scan("allocated", from.getTime(), dirOf(side), n, isLive);
      if (!w || !a) {
        reader.misses++;
        return fallback.beyond(from, side, n);
      }
      return [...w, ...a];
    },
  };
  return reader;
}
