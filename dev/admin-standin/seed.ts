// A small store for the offline demo and tests: three products, six variants, two
// locations, some stock (one variant already sold out), one collection (winter: the beanie). Ids are fixed so webhook
// fixtures can name the same objects.
import type { AdminStandin } from "./server.ts";
import type { StandinShop } from "./state.ts";

export const DEMO_SHOP = "backorder-demo.myshopify.com";

export const DEMO_IDS = {
  locations: { warehouse: 71000000001, store: 71000000002 },
  products: { shirt: 8100000001, beanie: 8100000002, pourOver: 8100000003 },
  collections: { winter: 4400000001 },
  variants: {
    shirtS: 4200000001,
    shirtM: 4200000002,
    shirtL: 4200000003,
    beanieOat: 4200000004,
    beanieForest: 4200000005,
    pourOver: 4200000006,
  },
  items: {
    shirtS: 5300000001,
    shirtM: 5300000002,
    shirtL: 5300000003,
    beanieOat: 5300000004,
    beanieForest: 5300000005,
    pourOver: 5300000006,
  },
} as const;

export function seedDemoShop(standin: AdminStandin, domain: string = DEMO_SHOP, accessToken?: string): StandinShop {
  const { locations: L, products: P, variants: V, items: I } = DEMO_IDS;
  const shop = standin.addShop({
    domain,
    accessToken,
    name: "Linen & Co. (demo)",
    timezone: "America/New_York",
    currency: "USD",
    locale: "en",
  });
  shop.addLocation(L.warehouse, "Warehouse");
  shop.addLocation(L.store, "Shop floor");
  shop.addProduct({
    id: P.shirt,
    title: "Linen Shirt",
    tags: ["summer", "backorder-ok"],
    variants: [
      { id: V.shirtS, inventoryItemId: I.shirtS, title: "S", sku: "LIN-S", price: "68.00", stock: { [L.warehouse]: 6, [L.store]: 2 } },
      { id: V.shirtM, inventoryItemId: I.shirtM, title: "M", sku: "LIN-M", price: "68.00", stock: { [L.warehouse]: 3 } },
      { id: V.shirtL, inventoryItemId: I.shirtL, title: "L", sku: "LIN-L", price: "68.00", stock: { [L.warehouse]: 0 } },
    ],
  });
  shop.addProduct({
    id: P.beanie,
    title: "Merino Beanie",
    tags: ["winter"],
    variants: [
      { id: V.beanieOat, inventoryItemId: I.beanieOat, title: "Oat", sku: "MER-OAT", price: "34.00", stock: { [L.warehouse]: 12 } },
      {
        id: V.beanieForest,
        inventoryItemId: I.beanieForest,
        title: "Forest",
        sku: "MER-FOR",
        price: "34.00",
        stock: { [L.warehouse]: 1, [L.store]: 1 },
      },
    ],
  });
  shop.addProduct({
    id: P.pourOver,
    title: "Ceramic Pour-Over",
    variants: [
      { id: V.pourOver, inventoryItemId: I.pourOver, title: "Default Title", sku: "CPO", price: "42.50", stock: { [L.warehouse]: 4 } },
    ],
  });
  shop.addCollection({ id: DEMO_IDS.collections.winter, title: "Winter", productIds: [P.beanie] });
  return shop;
}
