// The webhook inbox: one row per accepted delivery, written before we answer 200.
import type { Db } from "../db/client.server.ts";

export interface Delivery {
  shop: string;
  topic: string;
  webhookId: string;
  eventId?: string | null;
  apiVersion?: string | null;
  triggeredAt?: Date | null;
  payload: string;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === "P2002";

/** The inbox row of a delivery, as stored alone (storeDelivery) or in a batch (inbox-writer). */
export const inboxRow = (d: Delivery) => ({
  shop: d.shop,
  topic: d.topic,
  webhookId: d.webhookId,
  eventId: d.eventId ?? null,
  apiVersion: d.apiVersion ?? null,
  triggeredAt: d.triggeredAt ?? null,
  payload: d.payload,
});

/** Stores a delivery once. Returns false for a duplicate (Shopify retried the same webhook id). */
export async function storeDelivery(db: Db, d: Delivery): Promise<boolean> {
  try {
    await db.webhookInbox.create({
      data: inboxRow(d),
      // Not the row back: reading a 40 MiB payload back out would triple the write's cost.
      select: { id: true },
    });
    return true;
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
}
