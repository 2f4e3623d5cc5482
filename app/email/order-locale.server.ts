// The customer's language per order (Shopify's customer_locale), kept for its emails.
import type { Tx } from "../db/client.server.ts";
import { eachChunk } from "../db/chunks.ts";

/** The locales of the order snapshots a chunk stored: two statements per chunk, not one per order. */
export async function rememberOrderLocales(tx: Tx, shop: string, locales: { orderId: string; locale: string }[]) {
  if (locales.length === 0) return;
  const latest = new Map(locales.map((l) => [l.orderId, l.locale]));
  await eachChunk(latest.keys(), (ids) => tx.orderLocale.deleteMany({ where: { shop, orderId: { in: ids } } }));
  await eachChunk(latest, (rows) => tx.orderLocale.createMany({ data: rows.map(([orderId, locale]) => ({ shop, orderId, locale })) }));
}
