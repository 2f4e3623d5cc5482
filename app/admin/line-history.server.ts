// One line's history for the merchant: every state change the engine recorded (LineEvent,
// with the webhook topic or action behind it) and every answer the customer gave to a delay
// notice (ConsentRecord), oldest first. Scoped to the shop: another shop's line is not found.
import type { Db } from "../db/client.server.ts";

export interface LineHistoryEntry {
  at: string;
  kind: "state" | "consent";
  /** What happened, in words. */
  text: string;
  /** The webhook topic or action that caused it (state changes). */
  reason: string | null;
}

export interface LineHistory {
  lineItemId: string;
  orderName: string;
  title: string;
  quantity: number;
  state: string;
  entries: LineHistoryEntry[];
}

const REASONS: Record<string, string> = { "consent/cancel": "customer cancelled from a delay notice" };

export async function loadLineHistory(db: Db, shop: string, lineItemId: string): Promise<LineHistory | null> {
  const line = await db.backorderLine.findUnique({
    where: { shop_lineItemId: { shop, lineItemId } },
    select: { lineItemId: true, orderName: true, title: true, quantity: true, state: true },
  });
  if (!line) return null;
  const [events, consents] = await Promise.all([
    db.lineEvent.findMany({ where: { shop, lineItemId }, orderBy: [{ at: "asc" }, { id: "asc" }], take: 500 }),
    db.consentRecord.findMany({ where: { shop, lineItemId }, orderBy: { answeredAt: "asc" } }),
  ]);
  const entries: LineHistoryEntry[] = [
    ...events.map((e) => ({
      at: e.at.toISOString(),
      kind: "state" as const,
      text: `${e.fromState ?? "new"} → ${e.toState} (${e.waiting} waiting)`,
      reason: REASONS[e.reason] ?? e.reason,
    })),
    ...consents.map((c) => ({
      at: c.answeredAt.toISOString(),
      kind: "consent" as const,
      text:
        c.choice === "cancel"
          ? `Customer cancelled ${c.quantity} for a refund (notice for ${c.promisedDate})${c.refundId ? `, Shopify refund ${c.refundId}` : ", refund not confirmed yet"}`
          : `Customer agreed to wait for ${c.promisedDate}`,
      reason: null,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at) || (a.kind === b.kind ? 0 : a.kind === "consent" ? -1 : 1));
  return { ...line, entries };
}
