// Signs a webhook delivery the way Shopify does (HMAC-SHA256 of the raw body with the
// app's API secret, base64, in X-Shopify-Hmac-Sha256). Used by tests, the demo and benches.
import crypto from "node:crypto";

export interface DeliveryHeadersInit {
  shop: string;
  topic: string;
  apiVersion: string;
  webhookId: string;
  secret: string;
  body: string;
}

export function shopifyWebhookHeaders(d: DeliveryHeadersInit): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": d.topic,
    "X-Shopify-Shop-Domain": d.shop,
    "X-Shopify-API-Version": d.apiVersion,
    "X-Shopify-Webhook-Id": d.webhookId,
    "X-Shopify-Event-Id": crypto.randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
    "X-Shopify-Hmac-Sha256": crypto.createHmac("sha256", d.secret).update(d.body, "utf8").digest("base64"),
  };
}
