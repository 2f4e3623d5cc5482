// Which of the variants an engine change touched must stop selling on Shopify now (their
// backorder limit reached, or backorders off, while Shopify may still sell them). Decided in
// the change's own transaction, so the `stop-selling` task commits with the change that made
// it necessary (decision 0023).
import { INVENTORY_POLICY, mustStopSelling, parseInventoryPolicy, type InventoryPolicy } from "../backorder/inventory-policy.ts";
import type { Tx } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";
import { loadVariantsFacts } from "../engine/storefront-facts.server.ts";

export interface ManagedVariant {
  variantId: string;
  enabled: boolean;
  maxBackorder: number | null;
}

export async function variantsToStopSelling(tx: Tx, shop: string, managed: ManagedVariant[], now: Date): Promise<string[]> {
  // Only a limit or backorders off can ask for DENY: other variants cost no query.
  const bounded = managed.filter((p) => !p.enabled || p.maxBackorder != null);
  if (bounded.length === 0) return [];
  const ids = bounded.map((p) => p.variantId);
  const [synced, catalog] = await Promise.all([
    inChunks(ids, (chunk) =>
      tx.syncedVariant.findMany({
        where: { shop, variantId: { in: chunk } },
        select: { variantId: true, inventoryPolicy: true, syncedAt: true },
      }),
    ),
    inChunks(ids, (chunk) =>
      tx.variant.findMany({
        where: { shop, variantId: { in: chunk } },
        select: { variantId: true, inventoryPolicy: true, productUpdatedAt: true },
      }),
    ),
  ]);
  const syncedOf = new Map(synced.map((s) => [s.variantId, s]));
  const catalogOf = new Map(catalog.map((v) => [v.variantId, v]));
  const shopifyPolicyOf = (variantId: string): InventoryPolicy | null => {
    const last = syncedOf.get(variantId);
    const known = catalogOf.get(variantId);
    // What Shopify said after our last push (a products/update newer than it) is the newer fact.
    if (known && (!last?.inventoryPolicy || known.productUpdatedAt.getTime() > last.syncedAt.getTime()))
      return parseInventoryPolicy(known.inventoryPolicy);
    return parseInventoryPolicy(last?.inventoryPolicy);
  };
  // Already DENY on Shopify (the usual case once a limit is reached): no need for the facts.
  const selling = bounded.filter((p) => shopifyPolicyOf(p.variantId) !== INVENTORY_POLICY.deny);
  if (selling.length === 0) return [];
  const facts = await loadVariantsFacts(
    tx,
    shop,
    selling.map((p) => p.variantId),
    now,
  );
  return selling
    .filter((p) =>
      mustStopSelling({
        policy: { enabled: p.enabled, maxBackorder: p.maxBackorder },
        waitingUnits: facts.get(p.variantId)?.waitingUnits ?? 0,
        shopifyPolicy: shopifyPolicyOf(p.variantId),
      }),
    )
    .map((p) => p.variantId);
}
