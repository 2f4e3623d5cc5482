// GraphQL config for codegen (`npm run codegen`, scripts/codegen.ts) and editors: the Admin
// API documents in app/shopify/admin-queries.ts (`#graphql` template literals), typed against
// Shopify's Admin schema as the @shopify/dev-mcp package vendors it. Everything is local:
// scripts/codegen.ts writes the schema file first, so codegen never downloads one.
import { createRequire } from "node:module";
import { ApiType, pluckConfig, preset } from "@shopify/api-codegen-preset";
import { ADMIN_API_VERSION } from "./app/shopify/admin-api-version.ts";

const out = "./app/shopify/generated";
export const ADMIN_SCHEMA_JSON = `${out}/admin-${ADMIN_API_VERSION}.schema.json`;
const documents = ["./app/shopify/admin-queries.ts"];
// The preset's operation types use utility types (`Exact`) that @graphql-codegen/typescript 5
// writes into the schema types and 6 (which @graphql-codegen/cli 7 brings) no longer does:
// the schema types are written by the version the preset itself depends on.
const typescriptPlugin = createRequire(import.meta.resolve("@shopify/api-codegen-preset")).resolve("@graphql-codegen/typescript");
// A field a document asks for is always in the answer (null when it has no value), so
// result fields are not optional (`sku: string | null`); variables and inputs still may be left out.
const RESULT_FIELDS_PRESENT = { field: true, inputValue: false, object: false, defaultValue: false };

export default {
  schema: ADMIN_SCHEMA_JSON,
  documents,
  projects: {
    default: {
      schema: ADMIN_SCHEMA_JSON,
      documents,
      extensions: {
        codegen: {
          pluckConfig,
          // What shopifyApiTypes() writes, minus its download step (it fetches the schema
          // from shopify.dev when the file is missing; here a missing file is an error).
          generates: {
            [`${out}/admin.types.d.ts`]: {
              plugins: [typescriptPlugin],
              config: {
                defaultScalarType: "string",
                scalars: { JSON: "unknown" },
                enumsAsConst: true,
                avoidOptionals: RESULT_FIELDS_PRESENT,
              },
            },
            [`${out}/admin.generated.d.ts`]: {
              preset,
              presetConfig: { apiType: ApiType.Admin },
              config: { avoidOptionals: RESULT_FIELDS_PRESENT },
            },
          },
        },
      },
    },
  },
};
