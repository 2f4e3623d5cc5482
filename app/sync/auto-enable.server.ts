// The merchant's auto-enable rule, applied where the engine changes stock: a variant on
// the rule (listed, or its product tagged with ShopSettings.autoEnableTag) that sells
// out gets backorders switched on. Runs inside the worker's transaction.
import { onAutoEnableRule, shouldAutoEnable } from "../backorder/inventory-policy.ts";
import type { Tx } from "../db/client.server.ts";
import { loadVariantFacts } from "../queue/storefront-facts.server.ts";

/** Returns the variants it switched on. */
export async function applyAutoEnable(tx: Tx, shop: string, variantIds: string[], now: Date): Promise<string[]> {
  if (variantIds.length === 0) return [];
  const [settings, policies, variants] = await Promise.all([
    tx.shopSettings.findUnique({ where: { shop }, select: { autoEnableTag: true } }),
    tx.variantPolicy.findMany({ where: { shop, variantId: { in: variantIds } }, select: { variantId: true, enabled: true, autoEnable: true } }),
    tx.variant.findMany({ where: { shop, variantId: { in: variantIds } }, select: { variantId: true, productTags: true, inventoryItemId: true } }),
  ]);
  const autoEnableTag = settings?.autoEnableTag ?? null;
  const policyOf = new Map(policies.map((p) => [p.variantId, p]));
  const tagsOf = new Map(variants.map((v) => [v.variantId, v.productTags]));
  const itemOf = new Map(variants.map((v) => [v.variantId, v.inventoryItemId]));
  const enabled: string[] = [];
  for (const variantId of variantIds) {
    const p = policyOf.get(variantId);
    const rule = { listed: p?.autoEnable ?? false, productTags: tagsOf.get(variantId) ?? "", autoEnableTag };
    if (p?.enabled || !onAutoEnableRule(rule)) continue; // cheap checks before reading stock
    // Unknown stock is not "sold out": a product webhook may come before any inventory level.
    const item = itemOf.get(variantId);
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
