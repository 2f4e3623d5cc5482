// Planning projections per location (docs/decisions/0032-warm-figures-and-located-planning.md):
// when incoming batches name a location, the projected queue on each batch date and the date
// the queue clears follow each location's own waiting units, as the ship dates do
// (located-eta.ts, decision 0028): a batch at location L serves the units short at L first,
// then the units not placed anywhere (short at another location but not routed there by
// Shopify, or short at no known location); never units Shopify placed at another location.
// A batch without a location serves every waiting unit. Planning has counts, not lines, so
// where the rule says "oldest first" across several groups, a batch serves them in proportion
// to their size (the units served in total are the rule's; only their split is approximate).
// Demand to come is unplaced and at no location yet (a new order's location is not known
// before checkout, decision 0021): any batch serves it. A batch's units beyond what it may
// serve stay on the shelf for the orders after it, as in projectQueue. With no located batch,
// or one location, the totals are projectQueue's exactly (property-tested).
import type { IncomingUnits } from "./eta.ts";
import { daysBetween, type ProjectedPoint } from "./planning.ts";

export interface LocationUnits {
  locationId: string;
  /** Waiting units on lines Shopify placed at this location (only its batches, and unlocated ones, serve them). */
  placed: number;
  /** Waiting units short at this location on lines not placed there (any location's batch may serve them). */
  unplaced: number;
}

export interface LocatedQueue {
  locations: readonly LocationUnits[];
  /** Waiting units short at no known location. */
  unlocated: number;
}

export interface LocationPoint {
  /** null: units at no location yet (unlocated lines and the demand to come). */
  locationId: string | null;
  before: number;
  after: number;
}

export interface LocatedPoint extends ProjectedPoint {
  /** Where the batch arrives; null: anywhere. */
  locationId: string | null;
  /** Each location's units before and after the batch (the locations in the queue's order, then null). */
  locations: LocationPoint[];
}

const EPS = 1e-9;
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** Takes up to `quantity` from `parts` (indexes into `units`) in proportion to their size; returns what is left of it. */
function serve(units: number[], parts: readonly number[], quantity: number): number {
  const total = sum(parts.map((i) => units[i]!));
  if (total <= EPS || quantity <= 0) return quantity;
  if (quantity >= total - EPS) {
    for (const i of parts) units[i] = 0;
    return Math.max(0, quantity - total);
  }
  const keep = (total - quantity) / total;
  for (const i of parts) units[i] = units[i]! * keep;
  return 0;
}

const locationOf = (b: IncomingUnits): string | null => (b.locationId != null && b.locationId !== "" ? b.locationId : null);

/**
 * The queue on each batch date, per location, with demand `rate` units/day from today on.
 * Batches before today or empty are skipped; several on one day land one after another.
 */
export function projectLocatedQueue(queue: LocatedQueue, rate: number, batches: readonly IncomingUnits[], today: string): LocatedPoint[] {
  const ahead = [...batches]
    .filter((b) => b.date >= today && b.quantity > 0)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const ids = queue.locations.map((l) => l.locationId);
  // units: [placed, unplaced] of each location in turn, then the unlocated units.
  const units = [...queue.locations.flatMap((l) => [Math.max(0, l.placed), Math.max(0, l.unplaced)]), Math.max(0, queue.unlocated)];
  const unlocatedAt = units.length - 1;
  const index = new Map(ids.map((id, k) => [id, k]));
  const all = units.map((_, i) => i);
  const perLocation = (): LocationPoint[] => [
    ...ids.map((locationId, k) => ({ locationId, before: 0, after: units[2 * k]! + units[2 * k + 1]! })),
    { locationId: null, before: 0, after: units[unlocatedAt]! },
  ];
  let shelf = 0;
  let at = today;
  const points: LocatedPoint[] = [];
  for (const b of ahead) {
    // The demand until the batch: served from the shelf first, else it waits, at no location yet.
    const demand = Math.max(0, rate) * daysBetween(at, b.date);
    at = b.date;
    const fromShelf = Math.min(shelf, demand);
    shelf -= fromShelf;
    units[unlocatedAt]! += demand - fromShelf;
    const before = perLocation();
    const loc = locationOf(b);
    let left = b.quantity;
    if (loc === null) left = serve(units, all, left);
    else {
      const k = index.get(loc);
      if (k !== undefined) left = serve(units, [2 * k, 2 * k + 1], left);
      const elsewhere = [...ids.flatMap((_, j) => (j === k ? [] : [2 * j + 1])), unlocatedAt];
      left = serve(units, elsewhere, left);
    }
    shelf += left;
    const after = perLocation();
    const locations = before.map((p, i) => ({ locationId: p.locationId, before: p.after, after: after[i]!.after }));
    points.push({
      day: b.date,
      before: sum(locations.map((p) => p.before)),
      after: sum(locations.map((p) => p.after)),
      arriving: b.quantity,
      locationId: loc,
      locations,
    });
  }
  return points;
}

/** Waiting units of the queue. */
export const locatedUnits = (queue: LocatedQueue): number =>
  sum(queue.locations.map((l) => Math.max(0, l.placed) + Math.max(0, l.unplaced))) + Math.max(0, queue.unlocated);

/** The first batch date on which no unit waits anywhere once the batch is in; today without a queue; null when never. */
export function locatedClearDate(queue: LocatedQueue, rate: number, batches: readonly IncomingUnits[], today: string): string | null {
  if (locatedUnits(queue) <= 0) return today;
  return projectLocatedQueue(queue, rate, batches, today).find((p) => p.after <= EPS)?.day ?? null;
}

export interface LocationPlan {
  /** null: units at no location yet. */
  locationId: string | null;
  waitingUnits: number;
  /** Of them, on lines Shopify placed there. */
  placedUnits: number;
  /** The first batch date after which none of this location's units wait; today when none wait; null when never. */
  clearsOn: string | null;
}

/** Each location's waiting units and the date its own queue clears (the locations in the queue's order, then the unlocated units when there are any or demand comes). */
export function locationPlans(queue: LocatedQueue, rate: number, batches: readonly IncomingUnits[], today: string): LocationPlan[] {
  const points = projectLocatedQueue(queue, rate, batches, today);
  const clears = (i: number, waiting: number) =>
    waiting <= 0 && (i < queue.locations.length || rate <= 0) ? today : (points.find((p) => p.locations[i]!.after <= EPS)?.day ?? null);
  const plans: LocationPlan[] = queue.locations.map((l, i) => {
    const waitingUnits = Math.max(0, l.placed) + Math.max(0, l.unplaced);
    return { locationId: l.locationId, waitingUnits, placedUnits: Math.max(0, l.placed), clearsOn: clears(i, waitingUnits) };
  });
  const unlocated = Math.max(0, queue.unlocated);
  if (unlocated > 0 || rate > 0)
    plans.push({ locationId: null, waitingUnits: unlocated, placedUnits: 0, clearsOn: clears(queue.locations.length, unlocated) });
  return plans;
}
