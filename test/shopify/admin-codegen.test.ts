// The generated Admin API types (npm run codegen) belong to the documents the app sends:
// every document is one codegen picks up (`#graphql`), the generated maps hold each one's
// exact text (a document edited without running codegen again fails here, and in tsc), and
// the types say what Shopify's schema says of the fields the sync relies on.
import fs from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ADMIN_DOCUMENTS,
  type BULK_OPERATION,
  type CATALOG_VARIANTS,
  type HOLD_FULFILLMENT_ORDER,
} from "../../app/shopify/admin-queries.ts";
import type { AdminDocument, ResultOf, VariablesOf } from "../../app/shopify/admin-types.ts";
import type { BulkOperationView, CatalogPage } from "../../app/shopify/admin-operations.server.ts";

const GENERATED = "app/shopify/generated/admin.generated.d.ts";

describe("the generated Admin API types", () => {
  it("cover every document the app sends, as it is written now", () => {
    expect(fs.existsSync(GENERATED), `${GENERATED} is missing: run npm run codegen`).toBe(true);
    const generated = fs.readFileSync(GENERATED, "utf8");
    for (const [name, document] of Object.entries(ADMIN_DOCUMENTS)) {
      expect(document.startsWith("#graphql\n"), `${name} must start with #graphql for codegen to see it`).toBe(true);
      expect(generated.includes(`${JSON.stringify(document)}: {return:`), `${name} changed since the last npm run codegen`).toBe(true);
    }
  });

  // Checked by tsc (npm run typecheck): expectTypeOf does nothing at run time.
  it("type each document's result and variables from the schema", () => {
    // Each document is a key of the generated maps (a document without types does not compile here).
    expectTypeOf<(typeof ADMIN_DOCUMENTS)[keyof typeof ADMIN_DOCUMENTS]>().toExtend<AdminDocument>();
    // Enums are the schema's values, nullable fields are null (never left out) in an answer.
    expectTypeOf<BulkOperationView["status"]>().toEqualTypeOf<
      "CANCELED" | "CANCELING" | "COMPLETED" | "CREATED" | "EXPIRED" | "FAILED" | "RUNNING"
    >();
    expectTypeOf<BulkOperationView["url"]>().toEqualTypeOf<string | null>();
    expectTypeOf<CatalogPage["nodes"][number]["sku"]>().toEqualTypeOf<string | null>();
    expectTypeOf<ResultOf<typeof BULK_OPERATION>>().toEqualTypeOf<{ bulkOperation: BulkOperationView | null }>();
    // Variables: typed at all (the schema types hold the utility types the preset uses),
    // required ones are required, optional ones may be left out.
    expectTypeOf<VariablesOf<typeof HOLD_FULFILLMENT_ORDER>>().not.toBeAny();
    expectTypeOf<VariablesOf<typeof HOLD_FULFILLMENT_ORDER>["hold"]>().not.toBeAny();
    expectTypeOf<VariablesOf<typeof CATALOG_VARIANTS>>().toExtend<{ after?: string | null }>();
    expectTypeOf<{ id: string }>().not.toExtend<VariablesOf<typeof HOLD_FULFILLMENT_ORDER>>();
    expectTypeOf<VariablesOf<typeof HOLD_FULFILLMENT_ORDER>["hold"]["reason"]>().toExtend<string>();
    expectTypeOf<"BACKORDERED">().not.toExtend<VariablesOf<typeof HOLD_FULFILLMENT_ORDER>["hold"]["reason"]>();
  });
});
