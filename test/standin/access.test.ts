// The stand-in refuses, as Shopify does, what the installed app's scopes do not cover: the
// scopes come from the install (the shop's grant), the rules from Shopify's schema.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStandin } from "../../dev/admin-standin/server.ts";
import { DEMO_IDS, seedDemoShop } from "../../dev/admin-standin/seed.ts";
import { SHOP_FACTS, UPDATE_VARIANT_POLICIES } from "../../app/shopify/admin-queries.ts";
import { AdminApiError } from "../../app/shopify/admin-errors.ts";
import { AdminGateway } from "../../app/shopify/admin-operations.server.ts";
import { ADMIN_API_VERSION } from "../../dev/admin-standin/schema.ts";
import { DEFAULT_SCOPES } from "../../app/config.server.ts";

const standin = new AdminStandin({ clock: () => 1_000_000 });
// Installed without read_locales and with read-only products.
const narrow = seedDemoShop(standin, "narrow.myshopify.com", "shpat_narrow");
narrow.grantedScopes = new Set(DEFAULT_SCOPES.filter((s) => s !== "read_locales" && s !== "write_products"));
const full = seedDemoShop(standin, "full.myshopify.com", "shpat_full");
let origin: string;

beforeAll(async () => {
  origin = await standin.listen();
});
afterAll(() => standin.close());

async function post(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    json: (await res.json()) as { data?: unknown; errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] },
  };
}

const shirtS = `gid://shopify/ProductVariant/${DEMO_IDS.variants.shirtS}`;
const policyUpdate = {
  productId: `gid://shopify/Product/${DEMO_IDS.products.shirt}`,
  variants: [{ id: shirtS, inventoryPolicy: "CONTINUE" }],
};

describe("access scopes in the stand-in", () => {
  it("a shop grants the app's requested scopes unless the install says otherwise", () => {
    expect([...full.grantedScopes].sort()).toEqual([...DEFAULT_SCOPES].sort());
  });

  it("refuses a field the scopes do not cover with Shopify's ACCESS_DENIED error", async () => {
    const res = await post(narrow.accessToken, SHOP_FACTS);
    expect(res.status).toBe(200);
    expect(res.json.data).toBeNull();
    expect(res.json.errors).toHaveLength(1);
    expect(res.json.errors![0]).toEqual({
      message: "Access denied for shopLocales field. Required access: `read_locales` access scope or `read_markets_home` access scope.",
      path: ["shopLocales"],
      extensions: {
        code: "ACCESS_DENIED",
        documentation: "https://shopify.dev/api/usage/access-scopes",
        requiredAccess: "`read_locales` access scope or `read_markets_home` access scope.",
      },
    });
    expect(standin.calls.at(-1)!.errors).toContain("ACCESS_DENIED");
    // With the scope granted, the same document runs.
    const ok = await post(full.accessToken, SHOP_FACTS);
    expect(ok.json.errors).toBeUndefined();
    expect(ok.json.data).toMatchObject({ shopLocales: [{ locale: "en", primary: true }] });
  });

  it("runs nothing of a refused mutation", async () => {
    const before = narrow.variants.get(shirtS)!.inventoryPolicy;
    const res = await post(narrow.accessToken, UPDATE_VARIANT_POLICIES, policyUpdate);
    expect(res.json.errors!.map((e) => e.extensions!.code)).toEqual(["ACCESS_DENIED"]);
    expect(res.json.errors![0]!.message).toMatch(
      /^Access denied for productVariantsBulkUpdate field\. Required access: `write_products` access scope/,
    );
    expect(narrow.variants.get(shirtS)!.inventoryPolicy).toBe(before);
  });

  it("a write scope grants its read scope, as on Shopify", async () => {
    narrow.grantedScopes = new Set([...narrow.grantedScopes].filter((s) => s !== "read_products").concat("write_products"));
    const res = await post(narrow.accessToken, `query { productVariant(id: "${shirtS}") { id product { id } } }`);
    expect(res.json.errors).toBeUndefined();
    narrow.grantedScopes.delete("write_products");
    const refused = await post(narrow.accessToken, `query { productVariant(id: "${shirtS}") { id } }`);
    expect(refused.json.errors![0]!.extensions!.code).toBe("ACCESS_DENIED");
  });

  it("the gateway takes ACCESS_DENIED as permanent, without retrying", async () => {
    narrow.grantedScopes.delete("read_locales");
    const gw = new AdminGateway({
      shop: narrow.domain,
      accessToken: async () => narrow.accessToken,
      origin,
      sleep: async () => {},
      now: () => 1_000_000,
    });
    const from = standin.calls.length;
    const err = await gw.send(SHOP_FACTS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminApiError);
    expect(err).toMatchObject({ permanent: true, message: expect.stringContaining("Access denied for shopLocales field") });
    expect(standin.calls.length - from).toBe(1);
  });
});
