// Shopify's catalog (a page of variants, or lines of a bulk result) as the engine's domain
// events, with REST ids as the webhooks carry them.
import type { InventoryLevelEvent, ProductEvent } from "../backorder/events.ts";
import type { InventoryPolicy } from "../backorder/inventory-policy.ts";
import { restId } from "../shopify/admin-ids.ts";
import type { CatalogPage } from "../shopify/admin-operations.server.ts";

/** A variant as Shopify's Admin API gives it (a page node, or a line of the bulk result). */
export interface CatalogVariant {
  id: string;
  title: string;
  sku: string | null;
  price: string;
  inventoryPolicy: InventoryPolicy;
  product: { id: string; title: string; tags: string[]; updatedAt: string };
}

export interface CatalogLevel {
  updatedAt: string;
  location: { id: string };
  quantities: { name: string; quantity: number }[];
}

/** Adds a variant to its product's event in `products` (one event per product, REST ids as the webhooks carry). */
export function addVariant(products: Map<string, ProductEvent>, v: CatalogVariant, inventoryItemGid: string | null) {
  const productId = restId(v.product.id);
  let p = products.get(productId);
  if (!p) {
    p = {
      kind: "product",
      productId,
      title: v.product.title,
      tags: v.product.tags.join(", "),
      updatedAt: new Date(v.product.updatedAt),
      variants: [],
    };
    products.set(productId, p);
  }
  p.variants.push({
    variantId: restId(v.id),
    title: v.title,
    sku: v.sku,
    inventoryItemId: inventoryItemGid ? restId(inventoryItemGid) : null,
    price: v.price,
    inventoryPolicy: v.inventoryPolicy.toLowerCase(),
  });
}

/** An inventory level's `available` as the engine's event; null when Shopify gave no such quantity. */
export function levelEvent(inventoryItemGid: string, level: CatalogLevel): InventoryLevelEvent | null {
  const available = level.quantities.find((q) => q.name === "available")?.quantity;
  if (available === undefined) return null;
  return {
    kind: "inventory",
    inventoryItemId: restId(inventoryItemGid),
    locationId: restId(level.location.id),
    available,
    updatedAt: new Date(level.updatedAt),
  };
}

/** One page of Shopify's variants as the engine's domain events. */
export function catalogEvents(page: CatalogPage): { products: ProductEvent[]; levels: InventoryLevelEvent[] } {
  const products = new Map<string, ProductEvent>();
  const levels: InventoryLevelEvent[] = [];
  for (const v of page.nodes) {
    addVariant(products, v, v.inventoryItem.id);
    for (const level of v.inventoryItem.inventoryLevels.nodes) {
      const e = levelEvent(v.inventoryItem.id, level);
      if (e) levels.push(e);
    }
  }
  return { products: [...products.values()], levels };
}
