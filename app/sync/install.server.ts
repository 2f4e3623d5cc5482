// At install (shopify-app-remix's afterAuth): queue the initial catalog sync, unless this
// shop's catalog is already synced and it never left (afterAuth also runs on re-auth), and
// with it the shop's shipping metafield for the cart notice (a fresh shop has none; an
// uninstall's undo deleted it). The runner takes the catalog first, then the metafield.
// A shop coming back also has its waiting lines' locations read (orders placed while it was
// away have no fulfillment order webhooks here).
import type { Db } from "../db/client.server.ts";
import { enqueueLocationBackfill } from "./location-backfill.server.ts";
import { enqueueShopShipping } from "./shop-sync.server.ts";
import { SYNC_KIND } from "./task-kind.ts";
import { enqueueTask } from "./tasks.server.ts";

export async function queueCatalogSyncOnInstall(db: Db, shop: string, now = new Date()): Promise<boolean> {
  const settings = await db.shopSettings.findUnique({ where: { shop }, select: { catalogSyncedAt: true, uninstalledAt: true } });
  if (settings?.catalogSyncedAt && !settings.uninstalledAt) return false;
  await db.$transaction(async (tx) => {
    // Installed again: the pause the merchant set with the undo before uninstalling ends too.
    if (settings?.uninstalledAt)
      await tx.shopSettings.update({ where: { shop }, data: { uninstalledAt: null, installedAt: now, pausedAt: null } });
    await enqueueTask(tx, shop, SYNC_KIND.catalog, shop, now);
    await enqueueShopShipping(tx, shop, now);
    await enqueueLocationBackfill(tx, shop, now);
  });
  return true;
}
