// The catalog sync at install: Shopify's variants with their products and inventory
// levels, fed to the engine as the product and inventory events the webhooks would bring,
// so the same stale-data rules apply and inventory items map to variants before the first
// webhook. Also stores the shop's time zone, locale and currency, and queues a refresh of
// the auto-enable collection's products (collection-sync.server.ts).
//
// A small catalog is read in pages (one page of 25 variants and it is done, within a
// second). A larger one goes through a bulk operation (catalog-bulk.server.ts): Shopify
// writes the whole catalog to a JSONL file, applied in chunks, resumable from the last
// chunk applied. The page already applied is not wasted work: the bulk result repeats it
// and the stale-data rules make the repeat a no-op.
import type { Db } from "../db/client.server.ts";
import { applyCatalogEvents } from "../engine/apply-event.server.ts";
import type { AdminGateway, CatalogPage } from "../shopify/admin-operations.server.ts";
import { catalogEvents } from "./catalog-events.ts";
import { runBulkCatalogSync, type BulkCatalogOptions, type CatalogSyncResult } from "./catalog-bulk.server.ts";
import { syncAfterApply } from "./hooks.server.ts";
import { enqueueCollectionRefresh } from "./tasks.server.ts";

export type { CatalogSyncResult };

export interface CatalogSyncOptions extends BulkCatalogOptions {
  /**
   * auto (default): pages while the catalog fits in one page, else a bulk operation;
   * paged / bulk force one way (the bench compares them).
   */
  mode?: "auto" | "paged" | "bulk";
}

export async function runCatalogSync(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  now: Date,
  opts: CatalogSyncOptions = {},
): Promise<CatalogSyncResult> {
  const facts = await gateway.shopFacts();
  await db.shopSettings.upsert({
    where: { shop },
    create: { shop, timezone: facts.timezone, locale: facts.locale, currency: facts.currency },
    update: { timezone: facts.timezone, locale: facts.locale, currency: facts.currency },
  });

  const mode = opts.mode ?? "auto";
  // A bulk sync under way (a crash, a deploy, a lease that ran out) continues where it stopped.
  const underway = mode !== "paged" && (await db.catalogBulkSync.findUnique({ where: { shop }, select: { shop: true } }));
  let result: CatalogSyncResult | null = null;
  if (mode === "paged" || (mode === "auto" && !underway))
    result = await runPagedCatalogSync(db, gateway, shop, now, mode === "auto" ? 1 : Infinity);
  result ??= await runBulkCatalogSync(db, gateway, shop, now, opts);

  await db.$transaction(async (tx) => {
    const settings = await tx.shopSettings.update({
      where: { shop },
      data: { catalogSyncedAt: now },
      select: { autoEnableCollectionId: true },
    });
    // The collection's products may have changed too (no webhook tells): read them again.
    if (settings.autoEnableCollectionId) await enqueueCollectionRefresh(tx, shop, now);
  });
  return result;
}

/** Pages through the catalog; null when it has more than `maxPages` pages (what was read is applied). */
async function runPagedCatalogSync(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  now: Date,
  maxPages: number,
): Promise<CatalogSyncResult | null> {
  const result: CatalogSyncResult = { via: "paged", variants: 0, levels: 0, pages: 0 };
  const afterApply = syncAfterApply({ now: () => now, debounceMs: 0 });
  let after: string | null = null;
  do {
    if (result.pages >= maxPages) return null;
    const page: CatalogPage = await gateway.catalogPage(after);
    const { products, levels } = catalogEvents(page);
    await db.$transaction(
      async (tx) => {
        const affected = await applyCatalogEvents(tx, shop, products, levels, "catalog/sync");
        await afterApply(tx, shop, affected);
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
    result.pages++;
    result.variants += page.nodes.length;
    result.levels += levels.length;
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return result;
}
