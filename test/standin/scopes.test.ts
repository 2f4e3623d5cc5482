// The app's access scopes, derived from Shopify's own schema: what every document the app
// sends needs (each field's and type's `requiredAccess`) and what every webhook topic in
// shopify.app.toml needs (the topic enum's descriptions). Nothing is listed here by hand.
import fs from "node:fs";
import { parse } from "graphql";
import toml from "toml";
import { describe, expect, it } from "vitest";
import { ADMIN_DOCUMENTS } from "../../app/shopify/admin-queries.ts";
import { DEFAULT_SCOPES } from "../../app/config.server.ts";
import { adminSchema } from "../../dev/admin-standin/schema.ts";
import {
  operationAccess,
  parseRequiredAccess,
  protectedFieldsIn,
  satisfies,
  topicEnumName,
  webhookTopicRequirement,
  type ScopeRequirement,
} from "../../dev/admin-standin/access.ts";

interface AppToml {
  access_scopes: { scopes: string };
  app_proxy?: { url: string };
  webhooks: { subscriptions: { topics?: string[]; compliance_topics?: string[] }[] };
}
const config = toml.parse(fs.readFileSync("shopify.app.toml", "utf8")) as AppToml;
const tomlScopes = config.access_scopes.scopes.split(",").map((s) => s.trim());
const topics = config.webhooks.subscriptions.flatMap((s) => s.topics ?? []);

/** Every requirement the app meets on a real store, named by where it comes from. */
function needs(): { source: string; requirement: ScopeRequirement }[] {
  const out: { source: string; requirement: ScopeRequirement }[] = [];
  for (const [name, source] of Object.entries(ADMIN_DOCUMENTS)) {
    for (const a of operationAccess(adminSchema(), parse(source)))
      out.push({ source: `${name} ${a.path.join(".")} (${a.coordinate})`, requirement: a.requirement });
  }
  for (const topic of topics) {
    const requirement = webhookTopicRequirement(topicEnumName(topic));
    if (requirement === undefined) throw new Error(`webhook topic ${topic} is not in the schema's WebhookSubscriptionTopic enum`);
    out.push({ source: `webhook ${topic}`, requirement });
  }
  // Not in the schema: shopify.dev ("About app proxies") states that configuring one needs it.
  if (config.app_proxy) out.push({ source: "[app_proxy]", requirement: [["write_app_proxy"]] });
  return out;
}

describe("access scopes, derived from Shopify's schema", () => {
  it("shopify.app.toml requests exactly DEFAULT_SCOPES", () => {
    expect([...tomlScopes].sort()).toEqual([...DEFAULT_SCOPES].sort());
    expect(new Set(tomlScopes).size).toBe(tomlScopes.length);
  });

  it("cover every document the app sends and every webhook topic it subscribes to", () => {
    const granted = new Set(DEFAULT_SCOPES);
    const unmet = needs()
      .filter((n) => !satisfies(n.requirement, granted))
      .map((n) => `${n.source}: any of ${n.requirement.map((a) => a.join("+")).join(" | ")}`);
    expect(unmet).toEqual([]);
  });

  it("request nothing unused: each scope is one that some need names", () => {
    const named = new Set(needs().flatMap((n) => n.requirement.flat()));
    expect(DEFAULT_SCOPES.filter((s) => !named.has(s))).toEqual([]);
  });

  it("read no protected customer data through the Admin API (the schema's isProtected fields)", () => {
    const found = Object.entries(ADMIN_DOCUMENTS).flatMap(([name, source]) =>
      protectedFieldsIn(adminSchema(), parse(source)).map((p) => `${name}: ${p.coordinate} (${p.subject})`),
    );
    expect(found).toEqual([]);
    // The check itself sees a protected field when one is asked for.
    expect(
      protectedFieldsIn(adminSchema(), parse(`query { order(id: "gid://shopify/Order/1") { email } }`)).map((p) => p.coordinate),
    ).toEqual(["Order.email"]);
  });

  it("reads Shopify's wording: alternatives, scopes needed together, staff permissions ignored", () => {
    expect(parseRequiredAccess("`read_locales` access scope or `read_markets_home` access scope.", "query")).toEqual([
      ["read_locales"],
      ["read_markets_home"],
    ]);
    expect(
      parseRequiredAccess(
        "`write_orders` access scope or `write_marketplace_orders` access scope. Also: The user must have `write_x` permission.",
        "mutation",
      ),
    ).toEqual([["write_orders"], ["write_marketplace_orders"]]);
    const markets = "`read_markets` for queries and both `read_markets` as well as `write_markets` for mutations.";
    expect(parseRequiredAccess(markets, "query")).toEqual([["read_markets"]]);
    expect(parseRequiredAccess(markets, "mutation")).toEqual([["read_markets", "write_markets"]]);
    // refundCreate names bare resources: the write scope for a mutation, the read scope for a query.
    const bare = "`orders` access scope, `marketplace_orders` access scope or `buyer_membership_orders` access scope.";
    expect(parseRequiredAccess(bare, "mutation")).toEqual([
      ["write_orders"],
      ["write_marketplace_orders"],
      ["write_buyer_membership_orders"],
    ]);
    expect(parseRequiredAccess(bare, "query")).toEqual([["read_orders"], ["read_marketplace_orders"], ["read_buyer_membership_orders"]]);
    expect(parseRequiredAccess("`read_orders` access scope as well as any of `read_a`, `read_b` access scopes.", "query")).toEqual([
      ["read_orders", "read_a"],
      ["read_orders", "read_b"],
    ]);
    expect(webhookTopicRequirement("FULFILLMENTS_CREATE")).toEqual([["read_fulfillments"], ["read_marketplace_orders"]]);
    expect(webhookTopicRequirement("APP_UNINSTALLED")).toEqual([]);
    expect(satisfies([["read_products"]], new Set(["write_products"]))).toBe(true);
  });
});
