// At install (shopify-app-remix's afterAuth): queue the initial catalog sync, unless this
// shop's catalog is already synced and it never left (afterAuth also runs on re-auth).
import type { Db } from "../db/client.server.ts";
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
  });
  return true;
}
