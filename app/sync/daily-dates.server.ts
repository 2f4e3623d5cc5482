// Storefront dates count from "today" (lead time, processing days, a restock date that has
// passed), so they move at the shop's midnight with no webhook to say so. Once per shop-local
// day, every variant the app publishes for is queued for a push; the variant sync only
// writes the ones whose status actually changed. The same daily pass queues the reads of
// waiting lines' locations that no webhook gave (location-backfill.server.ts).
import { todayIn } from "../backorder/eta.ts";
import type { Db } from "../db/client.server.ts";
import { enqueueLocationBackfill } from "./location-backfill.server.ts";
import { SYNC_KIND } from "./task-kind.ts";
import { enqueueTasks } from "./tasks.server.ts";

export interface DailyDatesResult {
  shops: number;
  variants: number;
}

/** `onNewDay`: called with each shop whose new day this call claimed (the worker refreshes its figures). */
export async function refreshDatesForNewDay(db: Db, now = new Date(), onNewDay?: (shop: string) => void): Promise<DailyDatesResult> {
  const result: DailyDatesResult = { shops: 0, variants: 0 };
  const shops = await db.shopSettings.findMany({
    where: { uninstalledAt: null },
    select: { shop: true, timezone: true, datesRefreshedOn: true },
  });
  for (const s of shops) {
    const today = todayIn(s.timezone, now);
    if (s.datesRefreshedOn === today) continue;
    // Claim the day and queue the pushes together: of two processes, one does it; a failure undoes both.
    const ids = await db.$transaction(async (tx) => {
      const claimed = await tx.shopSettings.updateMany({
        where: { shop: s.shop, OR: [{ datesRefreshedOn: null }, { datesRefreshedOn: { not: today } }] },
        data: { datesRefreshedOn: today },
      });
      if (claimed.count === 0) return null;
      const [policies, synced] = await Promise.all([
        tx.variantPolicy.findMany({ where: { shop: s.shop, enabled: true }, select: { variantId: true } }),
        tx.syncedVariant.findMany({ where: { shop: s.shop }, select: { variantId: true } }),
      ]);
      const variantIds = [...new Set([...policies, ...synced].map((v) => v.variantId))];
      await enqueueTasks(tx, s.shop, SYNC_KIND.variant, variantIds, now);
      await enqueueLocationBackfill(tx, s.shop, now);
      return variantIds;
    });
    if (!ids) continue;
    onNewDay?.(s.shop);
    result.shops++;
    result.variants += ids.length;
  }
  return result;
}

const CHECK_EVERY_MS = 60_000;
let lastCheck = 0;

/** For the worker loops: at most one look a minute (the check itself is one small query). */
export async function refreshDatesIfDue(db: Db, now = new Date()): Promise<DailyDatesResult | null> {
  if (now.getTime() - lastCheck < CHECK_EVERY_MS) return null;
  lastCheck = now.getTime();
  return refreshDatesForNewDay(db, now);
}
