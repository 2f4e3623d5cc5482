// The webhook inbox: one row per accepted delivery, written before we answer 200.
import type { Db } from "../db/client.server.ts";
import { deleteBodyParts, writeBodyParts } from "./body-parts.server.ts";

export interface Delivery {
  shop: string;
  topic: string;
  webhookId: string;
  eventId?: string | null;
  apiVersion?: string | null;
  triggeredAt?: Date | null;
  payload: string;
  /** The body's parts (body-parts.server.ts) when it is too large for the row; payload is then "". */
  bodyId?: string | null;
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
  bodyId: d.bodyId ?? null,
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

/**
 * Stores a large delivery: its body in parts first, then the row that names them. A retry of
 * a stored delivery is answered without writing its body again; one that loses a race with
 * its twin takes its parts back out.
 */
export async function storeLargeDelivery(db: Db, d: Delivery): Promise<boolean> {
  const known = await db.webhookInbox.findUnique({
    where: { shop_webhookId: { shop: d.shop, webhookId: d.webhookId } },
    select: { id: true },
  });
  if (known) return false;
  const bodyId = await writeBodyParts(db, d.shop, d.payload);
  try {
    const stored = await storeDelivery(db, { ...d, payload: "", bodyId });
    if (!stored) await deleteBodyParts(db, [bodyId]);
    return stored;
  } catch (e) {
    await deleteBodyParts(db, [bodyId]).catch(() => {});
    throw e;
  }
}
