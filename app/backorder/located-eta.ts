// Ship dates of a variant's waiting lines when some incoming batches name a location
// (docs/decisions/0028-batch-locations-in-etas.md). A batch at location L serves L's
// waiting lines first, oldest first, then the lines Shopify has not placed anywhere, oldest
// first; a batch without a location (and the restock date) serves the whole queue oldest
// first, exactly as shipDateForUnit does. Units left after every arrival wait for cycles, as
// in eta.ts. Pure: the admin queue, the variant sync's dates and the storefront share it.
import { fifoCompare } from "./allocation.ts";
import { restockSchedule, shipDateAfterArrival, type IncomingUnits, type RestockPlan } from "./eta.ts";

/** A waiting line, or one location's part of a split line (the same lineItemId once per part, decision 0033). */
export interface QueuedLine {
  lineItemId: string;
  orderedAt: Date;
  waitingQuantity: number;
  /** The location whose shortage the line holds (BackorderLine.locationId); null: none known. */
  locationId: string | null;
  /** Shopify routed it there (its assigned location is that one): no other location's stock serves it. */
  placed: boolean;
}

export interface QueueDates {
  /** Ship date of each line's last waiting unit. */
  lines: Map<string, string | null>;
  /** Ship date of one more unit ordered now (unplaced, behind every line): the storefront's date. */
  next: string | null;
}

/** True when a batch names a location, so the shop-wide unit count (shipDateForUnit) may be wrong. */
export const hasLocatedBatch = (batches: readonly IncomingUnits[] | undefined): boolean =>
  (batches ?? []).some((b) => b.locationId != null && b.locationId !== "");

/** A placed line is placed at its derived location; the allocation only places a line where its assigned location has a level. */
export const isPlaced = (line: { locationId: string | null; assignedLocationId: string | null }): boolean =>
  line.assignedLocationId !== null && line.assignedLocationId === line.locationId;

/** Ship dates of the variant's waiting lines (any order) and of the next unit, under `plan`. */
export function queueShipDates(lines: readonly QueuedLine[], plan: RestockPlan): QueueDates {
  const schedule = restockSchedule(plan);
  const dates = new Map<string, string | null>();
  if (schedule === null) {
    for (const l of lines) dates.set(l.lineItemId, null);
    return { lines: dates, next: null };
  }
  const queue = lines.filter((l) => l.waitingQuantity > 0).sort(fifoCompare);
  const left = queue.map((l) => Math.floor(l.waitingQuantity));
  const arrivedOn: (string | null)[] = queue.map(() => null);
  let nextOn: string | null = null;
  let nextLeft = 1;

  // Serves `order` (indexes into queue, oldest first) from one arrival; returns the units it has left.
  const serve = (order: Iterable<number>, quantity: number, date: string): number => {
    for (const i of order) {
      if (quantity <= 0) break;
      if (left[i]! === 0) continue;
      const take = Math.min(left[i]!, quantity);
      left[i]! -= take;
      quantity -= take;
      if (left[i] === 0) arrivedOn[i] = date;
    }
    return quantity;
  };
  const all = queue.map((_, i) => i);
  const unplaced = all.filter((i) => !queue[i]!.placed);
  const atLocation = new Map<string, number[]>();
  for (const i of all) {
    const at = queue[i]!.locationId;
    if (at === null) continue;
    const list = atLocation.get(at);
    if (list) list.push(i);
    else atLocation.set(at, [i]);
  }

  for (const a of schedule.arrivals) {
    let quantity = a.quantity;
    if (a.locationId === null) quantity = serve(all, quantity, a.date);
    else {
      const here = atLocation.get(a.locationId) ?? [];
      quantity = serve(here, quantity, a.date);
      quantity = serve(
        unplaced.filter((i) => queue[i]!.locationId !== a.locationId),
        quantity,
        a.date,
      );
    }
    if (quantity > 0 && nextLeft > 0) {
      nextLeft = 0;
      nextOn = a.date;
    }
  }

  // What no arrival covered waits for the cycles after the last one, oldest first.
  let rest = 0;
  queue.forEach((l, i) => {
    rest += left[i]!;
    const date = shipDateAfterArrival(left[i]! > 0 ? schedule.beyond(rest) : arrivedOn[i]!, plan);
    // A split line is one entry per location (decision 0033): it ships with its last part (null: no date, the latest).
    const before = dates.get(l.lineItemId);
    dates.set(l.lineItemId, before === undefined ? date : before === null || date === null ? null : before > date ? before : date);
  });
  for (const l of lines) if (!dates.has(l.lineItemId)) dates.set(l.lineItemId, null);
  const next = nextOn ?? schedule.beyond(rest + 1);
  return { lines: dates, next: shipDateAfterArrival(next, plan) };
}
