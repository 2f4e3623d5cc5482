// Shopify's real Admin GraphQL schema, read from the `@shopify/dev-mcp` package (a dev
// dependency: Shopify publishes its Admin schemas there for its Dev MCP server), built once
// per process: every request the stand-in serves is validated against it, so a query
// Shopify would reject fails here too. The file is an introspection result (`data`) plus
// Shopify's own per-field extras (`requiredAccess`, `isProtected`, ...), which
// buildClientSchema drops: `schemaAccessNotes()` keeps them for access.ts.
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

/** The API version the stand-in serves (= app/shopify-app.server.ts API_VERSION). */
export const ADMIN_API_VERSION = "2026-10";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The package's data folder (its exports map does not expose it, so by path). */
export const SCHEMA_FILE = path.resolve(here, "../../node_modules/@shopify/dev-mcp/dist/data", `admin_${ADMIN_API_VERSION}.json.gz`);

interface RawField {
  name: string;
  requiredAccess?: string | null;
  isProtected?: boolean;
  protectedSubject?: string | null;
}
interface RawType {
  name: string;
  description?: string | null;
  requiredAccess?: string | null;
  fields?: RawField[] | null;
  enumValues?: { name: string; description?: string | null }[] | null;
}
interface SchemaFile {
  data: IntrospectionQuery & { __schema: { types: RawType[] } };
}

/** Shopify's access notes: `requiredAccess` text per type (`Order`) and field (`Order.fulfillmentOrders`). */
export interface AccessNotes {
  requiredAccess: Map<string, string>;
  /** Fields with protected customer data, and what they protect (e.g. `Order.email` -> "email"). */
  protectedFields: Map<string, string | null>;
  /** Enum value descriptions of WebhookSubscriptionTopic (`ORDERS_CREATE` -> "... Requires ..."). */
  webhookTopics: Map<string, string>;
}

let raw: SchemaFile | undefined;
let cached: GraphQLSchema | undefined;
let notes: AccessNotes | undefined;

function schemaFile(): SchemaFile {
  if (!raw) {
    if (!fs.existsSync(SCHEMA_FILE))
      throw new Error(`Shopify's Admin schema ${ADMIN_API_VERSION} is not at ${SCHEMA_FILE}: run npm install (@shopify/dev-mcp)`);
    raw = JSON.parse(zlib.gunzipSync(fs.readFileSync(SCHEMA_FILE)).toString("utf8")) as SchemaFile;
  }
  return raw;
}

export function adminSchema(): GraphQLSchema {
  cached ??= buildClientSchema(schemaFile().data, { assumeValid: true });
  return cached;
}

export function schemaAccessNotes(): AccessNotes {
  if (!notes) {
    const n: AccessNotes = { requiredAccess: new Map(), protectedFields: new Map(), webhookTopics: new Map() };
    for (const type of schemaFile().data.__schema.types) {
      if (type.requiredAccess) n.requiredAccess.set(type.name, type.requiredAccess);
      for (const f of type.fields ?? []) {
        if (f.requiredAccess) n.requiredAccess.set(`${type.name}.${f.name}`, f.requiredAccess);
        if (f.isProtected) n.protectedFields.set(`${type.name}.${f.name}`, f.protectedSubject ?? null);
      }
      if (type.name === "WebhookSubscriptionTopic") for (const v of type.enumValues ?? []) n.webhookTopics.set(v.name, v.description ?? "");
    }
    notes = n;
  }
  return notes;
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
