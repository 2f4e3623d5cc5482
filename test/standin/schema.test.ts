// The app's Admin API documents against Shopify's real 2025-10 schema, and the
// stand-in refusing what Shopify would refuse.
import { describe, expect, it } from "vitest";
import { adminSchema, ADMIN_API_VERSION, checkDocument } from "../../dev/admin-standin/schema.ts";
import { ADMIN_DOCUMENTS } from "../../app/shopify/admin-queries.ts";
import { API_VERSION } from "../../app/shopify-app.server.ts";
import { ADMIN_API_VERSION as GATEWAY_API_VERSION } from "../../app/shopify/gateway.server.ts";
import fs from "node:fs";

describe("Shopify's Admin schema, vendored", () => {
  it("is the version the app asks for, everywhere it is named", () => {
    expect(ADMIN_API_VERSION).toBe("2025-10");
    expect(String(API_VERSION)).toBe(ADMIN_API_VERSION);
    expect(GATEWAY_API_VERSION).toBe(ADMIN_API_VERSION);
    expect(fs.readFileSync("shopify.app.toml", "utf8")).toMatch(/api_version = "2025-10"/);
  });

  it("is Shopify's full schema, not a hand-written subset", () => {
    const schema = adminSchema();
    expect(Object.keys(schema.getTypeMap()).length).toBeGreaterThan(2500);
    expect(schema.getMutationType()!.getFields().orderCancel!.args.map((a) => a.name)).toContain("refundMethod");
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
    const wrongArgs = checkDocument(`mutation { fulfillmentOrderHold(id: "gid://shopify/FulfillmentOrder/1", reason: INVENTORY_OUT_OF_STOCK) { userErrors { message } } }`);
    expect(wrongArgs.ok).toBe(false);
    expect(!wrongArgs.ok && wrongArgs.errors.map((e) => e.message).join(" ")).toMatch(/Unknown argument "reason"|argument "fulfillmentHold"/);
    const badEnum = checkDocument(`mutation { orderCancel(orderId: "gid://shopify/Order/1", reason: OUT_OF_STOCK, restock: true) { job { id } } }`);
    expect(badEnum.ok).toBe(false);
  });
});
