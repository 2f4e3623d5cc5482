// Shopify's real Admin GraphQL schema (vendored introspection, see schema/README.md),
// built once per process: every request the stand-in serves is validated against it,
// so a query Shopify would reject fails here too.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import {
  buildClientSchema,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";

/** The API version the vendored schema describes (= app/shopify-app.server.ts API_VERSION). */
export const ADMIN_API_VERSION = "2025-10";

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaFile = path.join(here, "schema", `admin_${ADMIN_API_VERSION}.json.gz`);

let cached: GraphQLSchema | undefined;

export function adminSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(schemaFile)).toString("utf8")) as { data: IntrospectionQuery };
    cached = buildClientSchema(json.data, { assumeValid: true });
  }
  return cached;
}

export type Checked = { ok: true; document: DocumentNode } | { ok: false; errors: readonly GraphQLError[] };

/** Parses and validates a document against the Admin schema, as Shopify does before running it. */
export function checkDocument(source: string): Checked {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (e) {
    return { ok: false, errors: [e as GraphQLError] };
  }
  const errors = validate(adminSchema(), document);
  return errors.length ? { ok: false, errors } : { ok: true, document };
}
