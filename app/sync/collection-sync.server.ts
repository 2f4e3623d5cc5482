// Which products are in the merchant's auto-enable collection (ShopSettings.autoEnableCollectionId).
// Nothing in the webhooks says so, so the `collection` SyncTask asks Shopify, 250 products
// a page (cost 253, the gateway waits for the bucket), and replaces AutoEnableProduct.
// It is queued when the settings are saved with a collection (or the collection is cleared)
// and after every catalog sync. Known limitation: products added to or removed from the
// collection in Shopify are only seen at the next of those refreshes (no collection webhook
// is subscribed).
import type { Db } from "../db/client.server.ts";
import { AdminApiError } from "../shopify/admin-errors.ts";
import { restId } from "../shopify/admin-ids.ts";
import type { AdminGateway } from "../shopify/admin-operations.server.ts";
import { applyAutoEnable } from "./auto-enable.server.ts";
import { enqueueSync } from "./tasks.server.ts";

/** Rows per statement: well inside both databases' parameter limits. */
const CHUNK = 500;

export interface CollectionRefreshResult {
  collectionId: string | null;
  products: number;
  /** Variants switched on because their product joined the collection while sold out. */
  enabled: string[];
}

export async function refreshAutoEnableCollection(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  now: Date,
): Promise<CollectionRefreshResult> {
  const collectionId =
    (await db.shopSettings.findUnique({ where: { shop }, select: { autoEnableCollectionId: true } }))?.autoEnableCollectionId ?? null;
  if (!collectionId) {
    await db.autoEnableProduct.deleteMany({ where: { shop } });
    return { collectionId, products: 0, enabled: [] };
  }

  // All pages first: a failure midway keeps the previous list (the task is retried).
  const productIds = new Set<string>();
  let after: string | null = null;
  do {
    const page = await gateway.collectionProductsPage(collectionId, after);
    if (!page) {
      throw new AdminApiError(
        `auto-enable collection ${restId(collectionId)} not found in Shopify (deleted?): choose another in Settings`,
        true,
        "CollectionProducts",
      );
    }
    page.productIds.forEach((id) => productIds.add(restId(id)));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);

  return db.$transaction(
    async (tx) => {
      // Changed while we read Shopify: the task queued by that save writes the new list.
      const current = await tx.shopSettings.findUnique({ where: { shop }, select: { autoEnableCollectionId: true } });
      if (current?.autoEnableCollectionId !== collectionId) return { collectionId, products: productIds.size, enabled: [] };
      const previous = new Set(
        (await tx.autoEnableProduct.findMany({ where: { shop, collectionId }, select: { productId: true } })).map((r) => r.productId),
      );
      await tx.autoEnableProduct.deleteMany({ where: { shop } });
      const ids = [...productIds];
      for (let i = 0; i < ids.length; i += CHUNK) {
        await tx.autoEnableProduct.createMany({ data: ids.slice(i, i + CHUNK).map((productId) => ({ shop, productId, collectionId })) });
      }
      // A product that joined while sold out switches on now, as a product gaining the tag does.
      const joined = ids.filter((id) => !previous.has(id));
      const enabled: string[] = [];
      for (let i = 0; i < joined.length; i += CHUNK) {
        const variants = await tx.variant.findMany({
          where: { shop, productId: { in: joined.slice(i, i + CHUNK) } },
          select: { variantId: true },
        });
        enabled.push(
          ...(await applyAutoEnable(
            tx,
            shop,
            variants.map((v) => v.variantId),
            now,
          )),
        );
      }
      await enqueueSync(tx, shop, { variantIds: enabled }, now);
      return { collectionId, products: ids.length, enabled };
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}
