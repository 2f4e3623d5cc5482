// The initial catalog sync at install: Shopify's variants with their products and
// inventory levels, paged (25 variants a page, well under the single-query cost limit),
// fed to the engine as the product and inventory events the webhooks would bring, so the
// same stale-data rules apply and inventory items map to variants before the first
// webhook. Also stores the shop's time zone, locale and currency, and queues a refresh of
// the auto-enable collection's products (collection-sync.server.ts).
import type { InventoryLevelEvent, ProductEvent } from "../backorder/events.ts";
import type { Db } from "../db/client.server.ts";
import { applyEvents } from "../queue/apply-event.server.ts";
import { restId, type AdminGateway, type CatalogPage } from "../shopify/gateway.server.ts";
import { syncAfterApply } from "./hooks.server.ts";
import { enqueueCollectionRefresh } from "./tasks.server.ts";

export interface CatalogSyncResult {
  variants: number;
  levels: number;
  pages: number;
}

export async function runCatalogSync(db: Db, gateway: AdminGateway, shop: string, now: Date): Promise<CatalogSyncResult> {
  const facts = await gateway.shopFacts();
  await db.shopSettings.upsert({
    where: { shop },
    create: { shop, timezone: facts.timezone, locale: facts.locale, currency: facts.currency },
    update: { timezone: facts.timezone, locale: facts.locale, currency: facts.currency },
  });

  const result: CatalogSyncResult = { variants: 0, levels: 0, pages: 0 };
  const afterApply = syncAfterApply({ now: () => now, debounceMs: 0 });
  let after: string | null = null;
  do {
    const page: CatalogPage = await gateway.catalogPage(after);
    const { products, levels } = catalogEvents(page);
    await db.$transaction(
      async (tx) => {
        const affected = await applyEvents(tx, shop, [...products, ...levels].map((event) => ({ event, reason: "catalog/sync" })));
        await afterApply(tx, shop, affected);
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
    result.pages++;
    result.variants += page.nodes.length;
    result.levels += levels.length;
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);

  await db.$transaction(async (tx) => {
    const settings = await tx.shopSettings.update({ where: { shop }, data: { catalogSyncedAt: now }, select: { autoEnableCollectionId: true } });
    // The collection's products may have changed too (no webhook tells): read them again.
    if (settings.autoEnableCollectionId) await enqueueCollectionRefresh(tx, shop, now);
  });
  return result;
}

/** One page of Shopify's variants as the engine's domain events (REST ids, as the webhooks carry). */
export function catalogEvents(page: CatalogPage): { products: ProductEvent[]; levels: InventoryLevelEvent[] } {
  const products = new Map<string, ProductEvent>();
  const levels: InventoryLevelEvent[] = [];
  for (const v of page.nodes) {
    const productId = restId(v.product.id);
    let p = products.get(productId);
    if (!p) {
      p = { kind: "product", productId, title: v.product.title, tags: v.product.tags.join(", "), updatedAt: new Date(v.product.updatedAt), variants: [] };
      products.set(productId, p);
    }
    const inventoryItemId = restId(v.inventoryItem.id);
    p.variants.push({ variantId: restId(v.id), title: v.title, sku: v.sku, inventoryItemId, price: v.price, inventoryPolicy: v.inventoryPolicy.toLowerCase() });
    for (const level of v.inventoryItem.inventoryLevels.nodes) {
      const available = level.quantities.find((q) => q.name === "available")?.quantity;
      if (available === undefined) continue;
      levels.push({ kind: "inventory", inventoryItemId, locationId: restId(level.location.id), available, updatedAt: new Date(level.updatedAt) });
    }
  }
  return { products: [...products.values()], levels };
}
