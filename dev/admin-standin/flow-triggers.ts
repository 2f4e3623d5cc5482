// The app's Shopify Flow triggers, read from the trigger extensions it deploys
// (extensions/*/shopify.extension.toml, type "flow_trigger"), and the check Flow applies to
// a flowTriggerReceive payload against them. Field types and payload keys as Shopify
// documents them (shopify.dev "Flow trigger reference"): a reference field (order_reference,
// customer_reference, product_reference) is sent as `<object>_id`, the object's numeric id;
// any other field under its `key`. The stand-in is strict where Flow may be lenient (an
// undeclared key is refused): a typo in the app then fails a test instead of a workflow.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import toml from "toml";

export const EXTENSIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../extensions");

/**
 * Largest payload the stand-in accepts, in bytes of JSON. Shopify's older Flow guidelines
 * say "less than 1 MB"; we could not confirm the current figure (a 50 KB one is quoted):
 * the stricter bound, so a payload that fits here fits there.
 */
export const FLOW_PAYLOAD_MAX_BYTES = 50_000;

/** Custom field types Flow accepts on triggers (Shopify CLI's trigger field types), and the JSON each carries. */
const CUSTOM_TYPES: Record<string, "string" | "number" | "boolean"> = {
  single_line_text_field: "string",
  email: "string",
  url: "string",
  number_decimal: "number",
  boolean: "boolean",
};
const REFERENCE_TYPES = new Set(["order_reference", "customer_reference", "product_reference"]);

export interface DeclaredFlowField {
  /** The payload key: `<object>_id` for a reference field, else the TOML `key`. */
  payloadKey: string;
  type: string;
}

export interface DeclaredFlowTrigger {
  handle: string;
  name: string;
  fields: DeclaredFlowField[];
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every flow_trigger extension, checked as `shopify app deploy` would (handle, field types, keys). */
export function declaredFlowTriggers(dir = EXTENSIONS_DIR): Map<string, DeclaredFlowTrigger> {
  const out = new Map<string, DeclaredFlowTrigger>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name, "shopify.extension.toml");
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    const config = toml.parse(fs.readFileSync(file, "utf8")) as Table;
    const ext = Array.isArray(config.extensions) ? (config.extensions[0] as Table | undefined) : undefined;
    if (!ext || ext.type !== "flow_trigger") continue;
    const where = `extensions/${entry.name}`;
    const handle = ext.handle;
    // Shopify's rules for a handle: at most 30 characters, letters, digits and hyphens, unique in the app.
    if (typeof handle !== "string" || !/^[a-zA-Z0-9-]{1,30}$/.test(handle))
      throw new Error(`${where}: handle must be 1-30 letters, digits or hyphens`);
    if (out.has(handle)) throw new Error(`${where}: handle ${handle} is used twice`);
    if (typeof ext.name !== "string" || !ext.name) throw new Error(`${where}: name is required`);
    const settings = isTable(config.settings) ? config.settings : {};
    const rawFields = Array.isArray(settings.fields) ? (settings.fields as Table[]) : [];
    const fields = rawFields.map((f, i): DeclaredFlowField => {
      const type = String(f.type);
      if (REFERENCE_TYPES.has(type)) return { payloadKey: `${type.replace(/_reference$/, "")}_id`, type };
      if (!(type in CUSTOM_TYPES)) throw new Error(`${where}: field ${i} has type ${type}, which Flow triggers do not support`);
      // The CLI allows only letters and spaces in a trigger field's key.
      if (typeof f.key !== "string" || !/^[a-zA-Z\s]+$/.test(f.key))
        throw new Error(`${where}: field ${i} needs a key of letters and spaces`);
      return { payloadKey: f.key, type };
    });
    const keys = fields.map((f) => f.payloadKey);
    if (new Set(keys).size !== keys.length) throw new Error(`${where}: two fields share a payload key`);
    out.set(handle, { handle, name: ext.name, fields });
  }
  return out;
}

/** What is wrong with a payload for the trigger (empty: Flow would take it). Messages are ours. */
export function flowPayloadErrors(trigger: DeclaredFlowTrigger, payload: unknown): string[] {
  if (!isTable(payload)) return ["payload must be a JSON object"];
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  if (bytes > FLOW_PAYLOAD_MAX_BYTES) return [`payload is ${bytes} bytes, over the ${FLOW_PAYLOAD_MAX_BYTES}-byte limit`];
  const errors: string[] = [];
  const declared = new Set(trigger.fields.map((f) => f.payloadKey));
  for (const f of trigger.fields) {
    const v = payload[f.payloadKey];
    if (v === undefined || v === null) {
      errors.push(`${f.payloadKey} is missing`);
      continue;
    }
    if (REFERENCE_TYPES.has(f.type)) {
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0)
        errors.push(`${f.payloadKey} must be the numeric id of the ${f.type.replace(/_reference$/, "")}`);
      continue;
    }
    if (typeof v !== CUSTOM_TYPES[f.type]) errors.push(`${f.payloadKey} must be a ${CUSTOM_TYPES[f.type]} (${f.type})`);
    else if (typeof v === "number" && !Number.isFinite(v)) errors.push(`${f.payloadKey} must be a finite number`);
  }
  for (const key of Object.keys(payload)) if (!declared.has(key)) errors.push(`${key} is not a field of trigger ${trigger.handle}`);
  return errors;
}
