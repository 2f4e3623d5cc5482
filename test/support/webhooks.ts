// Real HMAC-signed webhook deliveries, as Shopify sends them, and the app's webhook door
// configured with the same secret and the production limits.
import crypto from "node:crypto";
import type { Db } from "../../app/db/client.server.ts";
import { webhookLimits } from "../../app/config.server.ts";
import { API_VERSION } from "../../app/shopify-app.server.ts";
import { createWebhookDoor, type WebhookDoor, type WebhookDoorOptions } from "../../app/inbox/receive-webhook.server.ts";
import { shopifyWebhookHeaders } from "../../dev/webhook-signing.ts";

export const TEST_SECRET = "test-api-secret-0123456789";
export const TEST_API_KEY = "test-api-key";

export interface SignedDeliveryInit {
  shop: string;
  topic: string;
  payload: unknown;
  webhookId?: string;
  secret?: string;
  /** Raw body override (for malformed bodies); signed unless `hmac` is given. */
  rawBody?: string;
  hmac?: string | null;
  url?: string;
}

export function signedWebhookRequest(init: SignedDeliveryInit): Request {
  const body = init.rawBody ?? JSON.stringify(init.payload);
  const headers = shopifyWebhookHeaders({
    shop: init.shop,
    topic: init.topic,
    apiVersion: API_VERSION,
    webhookId: init.webhookId ?? crypto.randomUUID(),
    secret: init.secret ?? TEST_SECRET,
    body,
  });
  if (init.hmac === null) delete headers["X-Shopify-Hmac-Sha256"];
  else if (init.hmac !== undefined) headers["X-Shopify-Hmac-Sha256"] = init.hmac;
  // Shopify sends the length; the door reserves exactly that much of its byte budget.
  headers["Content-Length"] = String(Buffer.byteLength(body, "utf8"));
  return new Request(init.url ?? "https://app.example.test/webhooks", { method: "POST", headers, body });
}

/** The production webhook door, wired to a test database and secret (limits as in production unless overridden). */
export function webhookDoor(db: Db, overrides: Partial<WebhookDoorOptions> = {}): WebhookDoor {
  return createWebhookDoor({ db, apiSecret: TEST_SECRET, ...webhookLimits({}), ...overrides });
}
