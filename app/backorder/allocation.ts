// Who waits: Shopify's `available` going negative means units were sold beyond stock.
// Those units belong to the NEWEST open lines (first come, first served), so we hand the
// shortage out newest-first; every other unit is covered. This is a pure function of
// the latest lines and levels, which is why duplicate, late and shuffled webhooks
// converge on the same queue.
//
// Per location (docs/decisions/0021-per-location-queues.md): Shopify commits an order's units
// at the location its fulfillment order is assigned to, so a location's negative `available`
// belongs to that location's newest lines. A line whose assigned location is known (and has
// a level) takes only that location's shortage; a line without one takes any location's, as
// before. Single-location shops, and shops whose lines carry no location, are unchanged.
//
// Split lines (docs/decisions/0033-split-line-locations.md): a line whose units Shopify holds in
// fulfillment orders at several locations is one piece per location, each placed at its own
// location at the line's FIFO position; its waiting units are the sum of its pieces'.
import type { LinePart } from "./fact-rules.ts";

export interface OpenLine {
  lineItemId: string;
  orderedAt: Date;
  openQuantity: number;
  /** Location Shopify assigned (its fulfillment order's), when known; otherwise the shortage finds it. */
  locationId: string | null;
  /** A split line's parts, newest first (fact-rules.ts linePartsOf); null or absent: the whole line at locationId. */
  parts?: readonly LinePart[] | null;
}

export interface Level {
  locationId: string;
  available: number;
  /** Shopify's updated_at of this level. */
  updatedAt: Date;
}

export interface LineAllocation {
  /** Units not covered by stock. */
  waiting: number;
  /** Location whose shortage this line carries (first one if several); null when it waits for none. */
  locationId: string | null;
  /** A split line waiting at two or more locations: its waiting units at each (absent otherwise: all at locationId). */
  waitingAt?: Map<string, number>;
}

export interface AllocationResult {
  lines: Map<string, LineAllocation>;
  /** Shortage no tracked line accounts for (orders from before install): older than all, so ahead in the queue. */
  untrackedShortage: number;
  totalShortage: number;
}

/** FIFO order: oldest first; ties broken by line id so every replay sorts the same. */
export function fifoCompare(a: Pick<OpenLine, "orderedAt" | "lineItemId">, b: Pick<OpenLine, "orderedAt" | "lineItemId">): number {
  const t = a.orderedAt.getTime() - b.orderedAt.getTime();
  if (t !== 0) return t;
  return compareIds(a.lineItemId, b.lineItemId);
}

/** Shopify ids are numeric strings: compare by length first so "9" < "10". */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export function shortageOf(levels: Level[]): number {
  return levels.reduce((sum, l) => sum + Math.max(0, -l.available), 0);
}

/**
 * Units ordered after the newest level we hold are not in that `available` yet
 * (orders/create often overtakes inventory_levels/update). Without counting them the
 * shortage would land on older lines and briefly "cover" units that do not exist, which
 * would release their holds. Released units (cancel, refund) err the safe way: a line
 * may show waiting a moment longer, until the restock's own level arrives.
 */
export function unreflectedDemand(lines: OpenLine[], levels: Level[]): number {
  const { unplaced, byLocation } = unreflectedByLocation(lines, levels);
  let sum = unplaced;
  for (const v of byLocation.values()) sum += v;
  return sum;
}

/** The location a line's units are taken from: its assigned one when a level there is known, else none (any). */
export function placedAt(line: Pick<OpenLine, "locationId">, levels: readonly Pick<Level, "locationId">[]): string | null {
  return line.locationId !== null && levels.some((l) => l.locationId === line.locationId) ? line.locationId : null;
}

/** A piece of a line: units taken from one location's shortage (`at`), or from any (`at` null). */
export interface Piece {
  at: string | null;
  units: number;
}

/**
 * A line's open units by where they are taken from. Without parts (or with one) the whole line
 * is one piece, as before. A split line's parts take their quantities newest first, as far as the
 * open units go; units beyond the parts' sum (facts not read yet) go with the newest part. Parts
 * at a location without a level, like unplaced lines, take any location's shortage.
 */
export function piecesOf(
  line: Pick<OpenLine, "locationId" | "parts" | "openQuantity">,
  levels: readonly Pick<Level, "locationId">[],
): Piece[] {
  if (!line.parts || line.parts.length < 2) return [{ at: placedAt(line, levels), units: line.openQuantity }];
  const byAt = new Map<string | null, number>();
  let remaining = line.openQuantity;
  for (const part of line.parts) {
    const units = Math.min(Math.max(0, part.quantity), remaining);
    remaining -= units;
    const at = placedAt(part, levels);
    byAt.set(at, (byAt.get(at) ?? 0) + units);
  }
  const newest = placedAt(line.parts[0]!, levels);
  byAt.set(newest, (byAt.get(newest) ?? 0) + remaining);
  // Placed pieces first (each takes its own location's shortage only), then the unplaced one.
  const pieces = [...byAt].filter(([, units]) => units > 0).map(([at, units]) => ({ at, units }));
  return pieces.sort((a, b) => (a.at === null ? 1 : 0) - (b.at === null ? 1 : 0) || compareIds(a.at ?? "", b.at ?? ""));
}

/**
 * unreflectedDemand split: the units of lines placed at a location (charged to it) and the
 * rest (charged where stock is lowest). "After the newest level" is the newest of any location,
 * as before, so one sum per (variant, assigned location) gives it.
 */
export function unreflectedByLocation(lines: OpenLine[], levels: Level[]): { unplaced: number; byLocation: Map<string, number> } {
  const byLocation = new Map<string, number>();
  let unplaced = 0;
  if (levels.length === 0) return { unplaced, byLocation };
  const asOf = Math.max(...levels.map((l) => l.updatedAt.getTime()));
  for (const l of lines) {
    if (l.orderedAt.getTime() <= asOf || l.openQuantity <= 0) continue;
    for (const { at, units } of piecesOf(l, levels)) {
      if (at === null) unplaced += units;
      else byLocation.set(at, (byLocation.get(at) ?? 0) + units);
    }
  }
  return { unplaced, byLocation };
}

/**
 * The units short at each location: negative levels, lowered first by the not-yet-reflected
 * demand of lines placed there (`placed`), then the rest of that demand (`extra`) charged to
 * the location with the least stock (ties: lowest id). It depends on the lines only through
 * those sums, so the storefront can compute a variant's waiting units without its queue.
 */
export function shortageByLocation(levels: Level[], extra: number, placed: ReadonlyMap<string, number> = new Map()): Map<string, number> {
  const ordered = [...levels]
    .sort((a, b) => compareIds(a.locationId, b.locationId))
    .map((l) => ({ locationId: l.locationId, available: l.available - (placed.get(l.locationId) ?? 0) }));
  const shortage = new Map<string, number>();
  for (const l of ordered) if (l.available < 0) shortage.set(l.locationId, -l.available);
  if (extra > 0 && ordered.length > 0) {
    const lowest = ordered.reduce((a, b) => (b.available < a.available ? b : a));
    const stillAvailable = Math.max(0, lowest.available);
    const short = extra - stillAvailable;
    if (short > 0) shortage.set(lowest.locationId, (shortage.get(lowest.locationId) ?? 0) + short);
  }
  return shortage;
}

/** allocate(lines, levels).totalShortage from the levels and the lines' unreflected demand alone. */
export function totalShortageOf(levels: Level[], extra: number, placed?: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const v of shortageByLocation(levels, extra, placed).values()) total += v;
  return total;
}

export function allocate(lines: OpenLine[], levels: Level[]): AllocationResult {
  const unreflected = unreflectedByLocation(lines, levels);
  const shortage = shortageByLocation(levels, unreflected.unplaced, unreflected.byLocation);
  let totalShortage = 0;
  for (const v of shortage.values()) totalShortage += v;
  const result = new Map<string, LineAllocation>();
  const newestFirst = lines.filter((l) => l.openQuantity > 0).sort((a, b) => fifoCompare(b, a));

  for (const line of newestFirst) {
    let waiting = 0;
    let carriedAt: string | null = null;
    const waitingAt = new Map<string, number>();
    for (const piece of piecesOf(line, levels)) {
      let remaining = piece.units;
      // Interleaved newest-first: a piece without a place takes any location's shortage (so a
      // shop whose lines carry no location keeps the shop-wide FIFO), a placed one only its own.
      const candidates = piece.at !== null ? [piece.at] : [...shortage.keys()];
      for (const loc of candidates) {
        if (remaining === 0) break;
        const short = shortage.get(loc) ?? 0;
        const take = Math.min(remaining, short);
        if (take === 0) continue;
        shortage.set(loc, short - take);
        remaining -= take;
        waiting += take;
        waitingAt.set(loc, (waitingAt.get(loc) ?? 0) + take);
        carriedAt ??= loc;
      }
    }
    // Only split lines say where each unit waits; an unplaced line short at several locations
    // stays counted at the first, as before (and as the bounded derivation leaves it).
    const split = (line.parts?.length ?? 0) > 1 && waitingAt.size > 1;
    result.set(line.lineItemId, { waiting, locationId: carriedAt, ...(split ? { waitingAt } : {}) });
  }
  for (const l of lines) if (!result.has(l.lineItemId)) result.set(l.lineItemId, { waiting: 0, locationId: null });

  let untrackedShortage = 0;
  for (const v of shortage.values()) untrackedShortage += v;
  return { lines: result, untrackedShortage, totalShortage };
}

/** waitingParts as stored on BackorderLine: {locationId: units}, keys in id order so one allocation writes one string. */
export function encodeWaitingParts(waitingAt: ReadonlyMap<string, number>): string {
  return JSON.stringify(Object.fromEntries([...waitingAt].filter(([, u]) => u > 0).sort(([a], [b]) => compareIds(a, b))));
}

export function decodeWaitingParts(json: string | null): Map<string, number> | null {
  return json === null ? null : new Map(Object.entries(JSON.parse(json) as Record<string, number>));
}

/** A waiting line's units per location: a split line's parts (waitingParts), else all of them at locationId. */
export function waitingPartsOf(l: {
  locationId: string | null;
  waitingQuantity: number;
  waitingParts?: string | null;
}): [string | null, number][] {
  const parts = decodeWaitingParts(l.waitingParts ?? null);
  return parts && parts.size > 1 ? [...parts] : [[l.locationId, l.waitingQuantity]];
}

/**
 * What is ahead of a split line: each part waits behind its own location's units, and the line
 * ships with its last unit, so the part that ends furthest back speaks for it; `units` is then
 * counted so that units + the line's waiting quantity is that part's last unit (ETA arithmetic as for one part).
 */
export function aheadOfParts(
  parts: { ahead: { lines: number; units: number }; units: number }[],
  waiting: number,
): { lines: number; units: number } {
  // Ties (both parts end at the same unit, so the same date): the part with more lines ahead.
  const end = (p: (typeof parts)[number]) => p.ahead.units + p.units;
  const last = parts.reduce((a, b) => (end(b) > end(a) || (end(b) === end(a) && b.ahead.lines > a.ahead.lines) ? b : a));
  return { lines: last.ahead.lines, units: last.ahead.units + last.units - waiting };
}
