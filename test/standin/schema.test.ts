// The app's Admin API documents against Shopify's real Admin schema (from @shopify/dev-mcp)
// for the pinned version, the version inside Shopify's support window, and the stand-in
// refusing what Shopify would refuse.
import { describe, expect, it } from "vitest";
import { adminSchema, ADMIN_API_VERSION, checkDocument, SCHEMA_FILE } from "../../dev/admin-standin/schema.ts";
import { ADMIN_DOCUMENTS } from "../../app/shopify/admin-queries.ts";
import { API_VERSION } from "../../app/shopify-app.server.ts";
import { ADMIN_API_VERSION as GATEWAY_API_VERSION } from "../../app/shopify/admin-api-version.ts";
import fs from "node:fs";
import path from "node:path";

describe("Shopify's Admin schema, from @shopify/dev-mcp", () => {
  it("is the version the app asks for, everywhere it is named", () => {
    expect(String(API_VERSION)).toBe(ADMIN_API_VERSION);
    expect(GATEWAY_API_VERSION).toBe(ADMIN_API_VERSION);
    expect(fs.readFileSync("shopify.app.toml", "utf8")).toContain(`api_version = "${ADMIN_API_VERSION}"`);
    expect(SCHEMA_FILE).toContain(path.join("node_modules", "@shopify", "dev-mcp"));
    expect(fs.existsSync("dev/admin-standin/schema")).toBe(false);
  });

  it("pins a version Shopify still supports today (12 months from its release)", () => {
    // Releases come out on the 1st of January, April, July and October; `unstable` is no release.
    const m = /^(\d{4})-(01|04|07|10)$/.exec(ADMIN_API_VERSION);
    expect(m, `${ADMIN_API_VERSION} is not a stable release`).not.toBeNull();
    const supportEnds = Date.UTC(Number(m![1]) + 1, Number(m![2]) - 1, 1);
    expect(
      new Date().getTime(),
      `API version ${ADMIN_API_VERSION} left Shopify's support window on ${new Date(supportEnds).toISOString().slice(0, 10)}`,
    ).toBeLessThan(supportEnds);
  });

  it("is Shopify's full schema, not a hand-written subset", () => {
    const schema = adminSchema();
    expect(Object.keys(schema.getTypeMap()).length).toBeGreaterThan(2500);
    expect(
      schema
        .getMutationType()!
        .getFields()
        .orderCancel!.args.map((a) => a.name),
    ).toContain("refundMethod");
  });

  it.each(Object.entries(ADMIN_DOCUMENTS))("accepts the app's %s", (_name, doc) => {
    const checked = checkDocument(doc);
    expect(checked.ok ? [] : checked.errors.map((e) => e.message)).toEqual([]);
  });

  it("rejects a field Shopify does not have, and a wrong argument type", () => {
    const noField = checkDocument(`query { productVariant(id: "gid://shopify/ProductVariant/1") { id backorderable } }`);
    expect(noField.ok).toBe(false);
    expect(!noField.ok && noField.errors[0]!.message).toBe('Cannot query field "backorderable" on type "ProductVariant".');
    // fulfillmentOrderHold takes its reason inside the FulfillmentOrderHoldInput object.
    const wrongArgs = checkDocument(
      `mutation { fulfillmentOrderHold(id: "gid://shopify/FulfillmentOrder/1", reason: INVENTORY_OUT_OF_STOCK) { userErrors { message } } }`,
    );
    expect(wrongArgs.ok).toBe(false);
    expect(!wrongArgs.ok && wrongArgs.errors.map((e) => e.message).join(" ")).toMatch(
      /Unknown argument "reason"|argument "fulfillmentHold"/,
    );
    const badEnum = checkDocument(
      `mutation { orderCancel(orderId: "gid://shopify/Order/1", reason: OUT_OF_STOCK, restock: true) { job { id } } }`,
    );
    expect(badEnum.ok).toBe(false);
  });
});
