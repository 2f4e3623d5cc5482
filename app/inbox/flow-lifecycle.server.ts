// Shopify Flow's trigger lifecycle callbacks: Flow POSTs, when a merchant turns on or off a
// workflow that starts with one of the app's triggers, whether the shop now has an enabled
// workflow on it (`has_enabled_flow`). The app records it per shop and trigger and sends a
// trigger only to shops that have one: a shop without Flow costs no Admin API calls.
// Signed like webhooks (base64 HMAC-SHA256 of the body with the app's secret). Flow refuses
// to turn a workflow on unless this answers 2xx promptly, so it only writes one row.
import { handleOfDefinition } from "../backorder/flow-triggers.ts";
import type { Db } from "../db/client.server.ts";
import { BodySignature, claimedSignature } from "./webhook-hmac.server.ts";

/** A callback is a few hundred bytes; anything far larger is not one. */
const MAX_BODY_BYTES = 16 * 1024;
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export interface FlowLifecycleOptions {
  db: Db;
  apiSecret: string;
}

export function createFlowLifecycleHandler(opts: FlowLifecycleOptions) {
  return async (request: Request): Promise<Response> => {
    if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
    const claimed = claimedSignature(request.headers);
    if (!claimed) return new Response("Unauthorized", { status: 401 });
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > MAX_BODY_BYTES) return new Response("Payload too large", { status: 413 });
    const signature = new BodySignature(opts.apiSecret);
    signature.update(bytes);
    if (!signature.matches(claimed)) return new Response("Unauthorized", { status: 401 });

    let body: Record<string, unknown>;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    } catch {
      return new Response("Body is not JSON", { status: 400 });
    }
    const shop = body.shopify_domain;
    const definition = body.flow_trigger_definition_id;
    const enabled = body.has_enabled_flow;
    const at = typeof body.timestamp === "string" ? new Date(body.timestamp) : null;
    if (typeof shop !== "string" || !SHOP_DOMAIN.test(shop))
      return new Response("shopify_domain must be a *.myshopify.com domain", { status: 400 });
    if (typeof definition !== "string" || typeof enabled !== "boolean" || !at || Number.isNaN(at.getTime())) {
      return new Response("flow_trigger_definition_id, has_enabled_flow and timestamp are required", { status: 400 });
    }
    const handle = handleOfDefinition(definition);
    // Not a trigger of this app (or one since removed): nothing to record, but Flow must not block the merchant.
    if (!handle) return new Response(null, { status: 204 });
    await recordFlowTriggerUse(opts.db, shop, handle, enabled, at);
    return new Response(null, { status: 204 });
  };
}

/** Newest wins: Flow says a callback with an older timestamp than the stored one is to be ignored. */
export async function recordFlowTriggerUse(db: Db, shop: string, trigger: string, enabled: boolean, at: Date): Promise<void> {
  const where = { shop_trigger: { shop, trigger } };
  const updated = await db.flowTriggerUse.updateMany({ where: { shop, trigger, updatedAt: { lt: at } }, data: { enabled, updatedAt: at } });
  if (updated.count > 0) return;
  // No row yet (or a newer one): create if missing; a concurrent creator or a newer row wins.
  await db.flowTriggerUse.upsert({ where, create: { shop, trigger, enabled, updatedAt: at }, update: {} });
}
