// The storefront metafield is one contract in three places: the definition Shopify installs
// from shopify.app.toml, what the sync writes (STOREFRONT_METAFIELD), and what the theme
// app extension reads in Liquid. A drift between them leaves every product page blank.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SHOP_SHIPPING_METAFIELD } from "../../app/backorder/shop-shipping.ts";
import { STOREFRONT_METAFIELD } from "../../app/backorder/storefront-status.ts";
import { declaredMetafieldDefinitions } from "../../dev/admin-standin/app-config.ts";

const SNIPPETS = "extensions/backorder-notice/snippets";

describe("the backorder status metafield", () => {
  it("is declared in shopify.app.toml as the app-owned variant definition the sync writes", () => {
    const defs = declaredMetafieldDefinitions().filter((d) => d.key === STOREFRONT_METAFIELD.key);
    expect(defs).toEqual([
      expect.objectContaining({
        owner: "variant",
        ownerResource: "ProductVariant",
        namespace: STOREFRONT_METAFIELD.namespace,
        type: STOREFRONT_METAFIELD.type,
        // Storefront read access for Liquid (and the Storefront API); merchants may look, not edit.
        access: { admin: "merchant_read", storefront: "public_read", customerAccount: null },
      }),
    ]);
  });

  it("has a shop-level companion, the shipping of mixed carts, declared as the sync writes it", () => {
    const defs = declaredMetafieldDefinitions().filter((d) => d.key === SHOP_SHIPPING_METAFIELD.key);
    expect(defs).toEqual([
      expect.objectContaining({
        owner: "shop",
        ownerResource: "Shop",
        namespace: SHOP_SHIPPING_METAFIELD.namespace,
        type: SHOP_SHIPPING_METAFIELD.type,
        access: { admin: "merchant_read", storefront: "public_read", customerAccount: null },
      }),
    ]);
  });

  it("is read by the theme app extension under the same namespace and key (and the shop's under its own)", () => {
    const liquid = fs
      .readdirSync(SNIPPETS)
      .map((f) => fs.readFileSync(path.join(SNIPPETS, f), "utf8"))
      .join("\n");
    const reads = [...liquid.matchAll(/metafields\[['"]([^'"]+)['"]\]\.(\w+)/g)].map((m) => `${m[1]}.${m[2]}`);
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads)).toEqual(
      new Set([
        `${STOREFRONT_METAFIELD.namespace}.${STOREFRONT_METAFIELD.key}`,
        `${SHOP_SHIPPING_METAFIELD.namespace}.${SHOP_SHIPPING_METAFIELD.key}`,
      ]),
    );
  });

  it("rejects a declaration outside the app-reserved namespace, which TOML cannot declare", () => {
    expect(() => declaredMetafieldDefinitions('[variant.metafields.custom.status]\ntype = "json"\n')).toThrow(/not an app-owned namespace/);
  });
});
