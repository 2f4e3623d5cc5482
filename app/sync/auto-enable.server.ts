// The merchant's auto-enable rule, applied where the engine changes stock: a variant on
// the rule (listed, its product tagged with ShopSettings.autoEnableTag, or in the
// collection ShopSettings.autoEnableCollectionId as last listed in AutoEnableProduct)
// that sells out gets backorders switched on. Runs inside the worker's transaction.
import { onAutoEnableRule, shouldAutoEnable } from "../backorder/inventory-policy.ts";
import type { Tx } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";
import { loadVariantFacts } from "../engine/storefront-facts.server.ts";

/** Returns the variants it switched on. */
export async function applyAutoEnable(tx: Tx, shop: string, variantIds: string[], now: Date): Promise<string[]> {
  if (variantIds.length === 0) return [];
  const [settings, policies, variants] = await Promise.all([
    tx.shopSettings.findUnique({ where: { shop }, select: { autoEnableTag: true, autoEnableCollectionId: true } }),
    inChunks(variantIds, (ids) =>
      tx.variantPolicy.findMany({ where: { shop, variantId: { in: ids } }, select: { variantId: true, enabled: true, autoEnable: true } }),
    ),
    inChunks(variantIds, (ids) =>
      tx.variant.findMany({
        where: { shop, variantId: { in: ids } },
        select: { variantId: true, productId: true, productTags: true, inventoryItemId: true },
      }),
    ),
  ]);
  const autoEnableTag = settings?.autoEnableTag ?? null;
  const collectionId = settings?.autoEnableCollectionId ?? null;
  // Only the list of the collection set now: after a change, the old list no longer counts.
  const inCollection = new Set(
    collectionId && variants.length
      ? (
          await inChunks(new Set(variants.map((v) => v.productId)), (ids) =>
            tx.autoEnableProduct.findMany({ where: { shop, collectionId, productId: { in: ids } }, select: { productId: true } }),
          )
        ).map((r) => r.productId)
      : [],
  );
  const policyOf = new Map(policies.map((p) => [p.variantId, p]));
  const variantOf = new Map(variants.map((v) => [v.variantId, v]));
  const enabled: string[] = [];
  for (const variantId of variantIds) {
    const p = policyOf.get(variantId);
    const v = variantOf.get(variantId);
    const rule = {
      listed: p?.autoEnable ?? false,
      productTags: v?.productTags ?? "",
      autoEnableTag,
      inCollection: !!v && inCollection.has(v.productId),
    };
    if (p?.enabled || !onAutoEnableRule(rule)) continue; // cheap checks before reading stock
    // Unknown stock is not "sold out": a product webhook may come before any inventory level.
    const item = v?.inventoryItemId;
    if (!item || (await tx.inventoryLevel.count({ where: { shop, inventoryItemId: item } })) === 0) continue;
    const facts = await loadVariantFacts(tx, shop, variantId, now);
    if (!shouldAutoEnable({ ...rule, enabled: p?.enabled ?? false, available: facts.available })) continue;
    await tx.variantPolicy.upsert({
      where: { shop_variantId: { shop, variantId } },
      create: { shop, variantId, enabled: true },
      update: { enabled: true },
    });
    enabled.push(variantId);
  }
  return enabled;
}
