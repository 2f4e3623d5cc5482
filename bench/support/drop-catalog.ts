// The benches' shop in the Admin API stand-in: `variants` one-variant products ("Drop v", variant
// 20,000 + v, inventory item 30,000 + v) selling on CONTINUE, `stock` units each at one location,
// their catalog updated a minute ago (so the app's first sync takes it as it is). Returns that
// time, for the webhooks the bench delivers of the same catalog.
import type { StandinShop } from "../../dev/admin-standin/state.ts";

export function addDropCatalog(
  shop: StandinShop,
  { variants, location, stock }: { variants: number; location: number; stock: number },
): string {
  const updatedAt = new Date(Date.now() - 60_000).toISOString();
  for (let v = 0; v < variants; v++) {
    shop.addProduct({
      id: 10_000 + v,
      title: `Drop ${v}`,
      updatedAt,
      variants: [{ id: 20_000 + v, inventoryItemId: 30_000 + v, inventoryPolicy: "CONTINUE", stock: { [location]: stock } }],
    });
  }
  return updatedAt;
}
