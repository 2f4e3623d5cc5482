// The webhook door: verify (HMAC, via shopify-app-remix), check the payload maps to
// a domain event, store it once, answer. Nothing else happens in the request.
import type { Db } from "../db/client.server.ts";
import { normalizeTopic, PayloadError, toDomainEvent } from "../shopify/webhook-payloads.ts";
import { storeDelivery } from "./inbox.server.ts";

/** What shopify-app-remix's authenticate.webhook gives us (the part we use). */
export interface VerifiedWebhook {
  shop: string;
  topic: string;
  webhookId: string;
  apiVersion?: string;
  eventId?: string;
  triggeredAt?: string;
  payload: unknown;
}

export type AuthenticateWebhook = (request: Request) => Promise<VerifiedWebhook>;

const text = (status: number, body: string) =>
  new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });

export async function receiveWebhook(
  request: Request,
  deps: { authenticate: AuthenticateWebhook; db: Db; onStored?: (shop: string) => void },
): Promise<Response> {
  let hook: VerifiedWebhook;
  try {
    hook = await deps.authenticate(request);
  } catch (e) {
    if (e instanceof Response) return e; // 401 bad HMAC, 400 missing headers, 405 not POST
    if (e instanceof SyntaxError) return text(400, "Body is not JSON");
    throw e;
  }
  const topic = normalizeTopic(hook.topic);
  if (!topic) return text(400, `Unsupported topic ${hook.topic}`);
  try {
    toDomainEvent(topic, hook.payload); // validated now, applied by the worker
  } catch (e) {
    if (e instanceof PayloadError) return text(400, `Malformed ${topic} payload: ${e.message}`);
    throw e;
  }
  const triggeredAt = hook.triggeredAt ? new Date(hook.triggeredAt) : null;
  const stored = await storeDelivery(deps.db, {
    shop: hook.shop,
    topic,
    webhookId: hook.webhookId,
    eventId: hook.eventId ?? null,
    apiVersion: hook.apiVersion ?? null,
    triggeredAt: triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null,
    payload: JSON.stringify(hook.payload),
  });
  if (stored) deps.onStored?.(hook.shop);
  return new Response(null, { status: 200 });
}
