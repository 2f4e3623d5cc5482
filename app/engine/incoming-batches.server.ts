// The incoming batches that date a variant's queue (eta.ts), read the same way by the
// storefront facts, the variant sync's ship dates and the admin's queue positions.
import { calendarDate, fromCalendarDate, type IncomingUnits } from "../backorder/eta.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";

/** Batches arriving today or later, per variant, in date order, with their location (null: anywhere). */
export async function incomingBatchesOf(
  db: Db | Tx,
  shop: string,
  variantIds: Iterable<string>,
  today: string,
): Promise<Map<string, IncomingUnits[]>> {
  const rows = await inChunks(new Set(variantIds), (chunk) =>
    db.incomingBatch.findMany({
      where: { shop, variantId: { in: chunk }, arrivesOn: { gte: fromCalendarDate(today) } },
      select: { variantId: true, arrivesOn: true, quantity: true, locationId: true },
      orderBy: [{ arrivesOn: "asc" }, { id: "asc" }],
    }),
  );
  const byVariant = new Map<string, IncomingUnits[]>();
  for (const r of rows) {
    const list = byVariant.get(r.variantId) ?? [];
    list.push({ date: calendarDate(r.arrivesOn)!, quantity: r.quantity, locationId: r.locationId });
    byVariant.set(r.variantId, list);
  }
  return byVariant;
}
