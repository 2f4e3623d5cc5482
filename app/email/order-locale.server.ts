// The customer's language per order (Shopify's customer_locale), kept for its emails.
import type { Tx } from "../db/client.server.ts";

export async function rememberOrderLocale(tx: Tx, shop: string, orderId: string, locale: string) {
  await tx.orderLocale.upsert({
    where: { shop_orderId: { shop, orderId } },
    create: { shop, orderId, locale },
    update: { locale },
  });
}
