// `npm run codegen` (also run on postinstall, after the Prisma clients): the Admin API
// types of app/shopify/admin-queries.ts, generated into app/shopify/generated/ (not in git).
// Offline: the schema is Shopify's Admin introspection as @shopify/dev-mcp vendors it
// (gzipped, with Shopify's extra per-field notes); codegen reads a plain introspection JSON,
// so it is written out first, then @graphql-codegen runs the project in .graphqlrc.ts.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { generate, type CodegenConfig } from "@graphql-codegen/cli";
import graphqlConfig, { ADMIN_SCHEMA_JSON } from "../.graphqlrc.ts";
import { ADMIN_API_VERSION as STANDIN_VERSION, SCHEMA_FILE } from "../dev/admin-standin/schema.ts";
import { ADMIN_API_VERSION } from "../app/shopify/admin-api-version.ts";

if (STANDIN_VERSION !== ADMIN_API_VERSION)
  throw new Error(
    `the app speaks Admin API ${ADMIN_API_VERSION} but the vendored schema is ${STANDIN_VERSION} (dev/admin-standin/schema.ts)`,
  );
if (!fs.existsSync(SCHEMA_FILE)) throw new Error(`Shopify's Admin schema is not at ${SCHEMA_FILE}: run npm install (@shopify/dev-mcp)`);

const { data } = JSON.parse(zlib.gunzipSync(fs.readFileSync(SCHEMA_FILE)).toString("utf8")) as { data: { __schema: unknown } };
fs.mkdirSync(path.dirname(ADMIN_SCHEMA_JSON), { recursive: true });
fs.writeFileSync(ADMIN_SCHEMA_JSON, JSON.stringify({ __schema: data.__schema }));

const project = graphqlConfig.projects.default;
// The preset is typed against its own copy of @graphql-codegen/plugin-helpers (a version
// apart from the CLI's); the objects are the same shape at run time.
const config = {
  ...project.extensions.codegen,
  schema: project.schema,
  documents: project.documents,
  silent: true,
} as unknown as CodegenConfig;
await generate(config, true);
console.log(`Admin API ${ADMIN_API_VERSION} types written to ${path.dirname(ADMIN_SCHEMA_JSON)}`);
