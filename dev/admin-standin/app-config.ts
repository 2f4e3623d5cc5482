// The app-owned metafield definitions declared in shopify.app.toml. On Shopify,
// `shopify app deploy` installs them on every shop the app is on; the stand-in applies
// them to every shop it serves, so metafieldsSet is checked against them as Shopify does.
// TOML form (https://shopify.dev/docs/apps/build/metafields/definitions, "TOML reference"):
// `[<owner>.metafields.app.<key>]` declares namespace `$app`, key `<key>`.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
// toml@3 parses TOML 0.4 (no dotted keys): keep access settings in `[... .access]` tables.
import toml from "toml";

export interface DeclaredMetafieldDefinition {
  /** The TOML owner section, e.g. `variant`. */
  owner: string;
  /** GID resource type of the owners, e.g. `ProductVariant`. */
  ownerResource: string;
  namespace: "$app";
  key: string;
  type: string;
  name: string | null;
  access: { admin: string | null; storefront: string | null; customerAccount: string | null };
}

/** TOML owner sections the stand-in models, and the GID resource each one owns. */
const OWNER_RESOURCES: Record<string, string> = {
  product: "Product",
  variant: "ProductVariant",
  shop: "Shop",
  order: "Order",
};

export const APP_CONFIG_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../shopify.app.toml");

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

export function declaredMetafieldDefinitions(source = fs.readFileSync(APP_CONFIG_PATH, "utf8")): DeclaredMetafieldDefinition[] {
  const config = toml.parse(source) as Table;
  const out: DeclaredMetafieldDefinition[] = [];
  for (const [owner, section] of Object.entries(config)) {
    if (!isTable(section) || !isTable(section.metafields)) continue;
    const ownerResource = OWNER_RESOURCES[owner];
    if (!ownerResource) throw new Error(`shopify.app.toml: metafields on [${owner}] are not modelled by the stand-in`);
    for (const [ns, defs] of Object.entries(section.metafields)) {
      // Declarative definitions live only in the app-reserved namespace (`app` in TOML).
      if (ns !== "app" || !isTable(defs)) throw new Error(`shopify.app.toml: [${owner}.metafields.${ns}] is not an app-owned namespace`);
      for (const [key, def] of Object.entries(defs)) {
        if (!isTable(def) || typeof def.type !== "string")
          throw new Error(`shopify.app.toml: [${owner}.metafields.app.${key}] needs a type`);
        const access = isTable(def.access) ? def.access : {};
        out.push({
          owner,
          ownerResource,
          namespace: "$app",
          key,
          type: def.type,
          name: str(def.name),
          access: { admin: str(access.admin), storefront: str(access.storefront), customerAccount: str(access.customer_account) },
        });
      }
    }
  }
  return out;
}
