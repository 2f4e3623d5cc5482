// The delivery's identity, from Shopify's X-Shopify-* headers, checked after the HMAC (it
// covers the body only, so the headers are still the sender's word). Required ones that
// are wrong refuse the delivery with the reason; optional metadata that is unusable is
// left out rather than costing the event.
import { normalizeTopic } from "../shopify/webhook-payloads.ts";

export interface DeliveryHeaders {
  shop: string;
  /** Our topic name when we know the topic ("ORDERS_CREATE" → "orders/create"), else as sent. */
  topic: string;
  webhookId: string;
  eventId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
}

export type HeaderCheck = { ok: true; headers: DeliveryHeaders } | { ok: false; reason: string };

// A shop's permanent domain: one label of lowercase letters, digits and hyphens.
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$/;
// Webhook and event ids are UUIDs or numbers at Shopify; ours in tests are similar.
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;
const TOPIC = /^[A-Za-z0-9_][A-Za-z0-9_/.-]{0,99}$/;
const API_VERSION = /^(\d{4}-\d{2}|unstable)$/;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2201, 0, 1);

export function checkDeliveryHeaders(h: Headers): HeaderCheck {
  const shop = h.get("X-Shopify-Shop-Domain");
  if (shop === null) return refuse("X-Shopify-Shop-Domain is missing");
  if (!SHOP_DOMAIN.test(shop)) {
    return refuse(`X-Shopify-Shop-Domain must be a shop's *.myshopify.com domain (lowercase letters, digits, hyphens), got ${quote(shop)}`);
  }
  const webhookId = h.get("X-Shopify-Webhook-Id");
  if (webhookId === null) return refuse("X-Shopify-Webhook-Id is missing");
  // Headers joins repeated headers with ", ": one delivery has exactly one id.
  if (webhookId.includes(",")) return refuse(`X-Shopify-Webhook-Id must be one value, got ${quote(webhookId)}`);
  if (!TOKEN.test(webhookId)) return refuse(`X-Shopify-Webhook-Id must be an id (letters, digits, . _ : -), got ${quote(webhookId)}`);
  const sentTopic = h.get("X-Shopify-Topic");
  if (sentTopic === null) return refuse("X-Shopify-Topic is missing");
  if (!TOPIC.test(sentTopic)) return refuse(`X-Shopify-Topic must be a topic name such as orders/create, got ${quote(sentTopic)}`);
  return {
    ok: true,
    headers: {
      shop,
      topic: normalizeTopic(sentTopic) ?? sentTopic,
      webhookId,
      eventId: matching(h.get("X-Shopify-Event-Id"), TOKEN),
      apiVersion: matching(h.get("X-Shopify-API-Version"), API_VERSION),
      triggeredAt: triggeredAt(h.get("X-Shopify-Triggered-At")),
    },
  };
}

const refuse = (reason: string): HeaderCheck => ({ ok: false, reason });

const quote = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

const matching = (value: string | null, pattern: RegExp) => (value !== null && pattern.test(value) ? value : null);

function triggeredAt(value: string | null): Date | null {
  if (value === null) return null;
  const at = new Date(value);
  const ms = at.getTime();
  return ms >= EARLIEST && ms < LATEST ? at : null;
}
