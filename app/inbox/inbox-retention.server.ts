// Deliveries applied long ago are deleted. A done row keeps no payload (the worker empties it),
// only what dedupes a repeat of the delivery (shop, webhookId) and what the settings page lists;
// yet one row per webhook for the life of the install grows without bound (a busy shop stores
// tens of thousands a day) and the worker's claim walks past them on SQLite. Shopify retries a
// delivery for at most 4 hours (8 attempts; its changelog of 2024-09-10), so after a week no
// repeat of it can come; and were one replayed by hand, applying it again is harmless (the
// facts are newest-wins, decision 0001). Failed, dead and rejected rows are the merchant's to
// see and retry: never deleted here.
import type { Db } from "../db/client.server.ts";
import { dialectOf } from "../db/dialect.ts";
import { SqlParams } from "../db/sql-params.ts";
import { INBOX_STATUS } from "./inbox-status.ts";

export const DONE_DELIVERY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Rows per statement: a short write (SQLite has one writer), called again while there are more. */
const DELETE_BATCH = 5_000;

/** Deletes up to `batch` done deliveries applied before `now` − the retention; returns how many. */
export async function deleteOldDoneDeliveries(db: Db, now = new Date(), batch = DELETE_BATCH): Promise<number> {
  const cutoff = new Date(now.getTime() - DONE_DELIVERY_RETENTION_MS);
  const p = new SqlParams(dialectOf(db));
  // nextAttemptAt ≤ processedAt (a row is applied once due), so the first bound walks the
  // (status, nextAttemptAt) index to the old rows only; the second is the rule.
  return db.$executeRawUnsafe(
    `DELETE FROM "WebhookInbox" WHERE "id" IN (
       SELECT "id" FROM "WebhookInbox"
       WHERE "status" = ${p.p(INBOX_STATUS.done)} AND "nextAttemptAt" < ${p.p(cutoff, "timestamp(3)")}
         AND "processedAt" < ${p.p(cutoff, "timestamp(3)")}
       LIMIT ${p.p(batch)})`,
    ...p.values,
  );
}
