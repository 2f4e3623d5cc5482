// Group commit for the webhook inbox. Deliveries that arrive while a write is in flight wait
// for it and then go in together, as one INSERT: on SQLite every write takes the file's one
// write lock (shared with the worker), and 64 senders each taking it in turn is what made
// acknowledgements late. Nothing waits on purpose: a delivery that finds no write in flight
// is written at once, so a quiet shop pays nothing and a burst pays one lock per batch.
import type { Db } from "../db/client.server.ts";
import { isLargeBody, PART_BYTES } from "./body-parts.server.ts";
import { inboxRow, storeDelivery, storeLargeDelivery, type Delivery } from "./inbox.server.ts";

export interface InboxWriterLimits {
  /** Deliveries per INSERT (a flash sale sends them by the dozen); 7 parameters each, within SQLite's 999. */
  maxDeliveries: number;
  /**
   * Payload bytes per INSERT: a large order goes on its own rather than hold up small ones, and
   * no statement carries more than a body part does (PART_BYTES): the thread is busy for its length.
   */
  maxBytes: number;
}

export const DEFAULT_INBOX_WRITER_LIMITS: InboxWriterLimits = { maxDeliveries: 100, maxBytes: PART_BYTES };

interface Waiting {
  delivery: Delivery;
  bytes: number;
  resolve: (stored: boolean) => void;
  reject: (e: unknown) => void;
}

const keyOf = (d: { shop: string; webhookId: string }) => `${d.shop}\n${d.webhookId}`;

/** One per process and database (the door holds one): batching needs every caller in one place. */
export class InboxWriter {
  private readonly queue: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly db: Db,
    private readonly limits: InboxWriterLimits = DEFAULT_INBOX_WRITER_LIMITS,
    /** Told the size of each batch as it is written (tests, metrics). */
    private readonly onBatch?: (deliveries: number) => void,
  ) {}

  /** Stores a delivery once; false for a duplicate (Shopify retried the same webhook id). */
  store(delivery: Delivery): Promise<boolean> {
    // A large body is written in parts, on its own: batching it would make one huge statement.
    if (isLargeBody(delivery.payload)) return storeLargeDelivery(this.db, delivery);
    return new Promise((resolve, reject) => {
      this.queue.push({ delivery, bytes: Buffer.byteLength(delivery.payload), resolve, reject });
      if (!this.writing) void this.writeAll();
    });
  }

  private async writeAll() {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        this.onBatch?.(batch.length);
        try {
          const stored = await storeBatch(
            this.db,
            batch.map((w) => w.delivery),
          );
          batch.forEach((w, i) => w.resolve(stored[i]!));
        } catch {
          // Something in the batch failed (a database error, or a duplicate written by another
          // process between our look and our insert): each delivery on its own, with its own answer.
          await Promise.all(batch.map((w) => storeDelivery(this.db, w.delivery).then(w.resolve, w.reject)));
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private takeBatch(): Waiting[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < this.limits.maxDeliveries) {
      const next = this.queue[n]!.bytes;
      if (n > 0 && bytes + next > this.limits.maxBytes) break;
      bytes += next;
      n++;
    }
    return this.queue.splice(0, n);
  }
}

/**
 * Inserts the deliveries that are not stored yet in one statement; returns, per delivery,
 * whether it was stored now (false: a duplicate, already stored or earlier in this batch).
 * A single INSERT is atomic without an interactive transaction, so it holds SQLite's write
 * lock only for itself.
 */
export async function storeBatch(db: Db, batch: Delivery[]): Promise<boolean[]> {
  if (batch.length === 1) return [await storeDelivery(db, batch[0]!)];
  const known = await db.webhookInbox.findMany({
    where: { webhookId: { in: [...new Set(batch.map((d) => d.webhookId))] } },
    select: { shop: true, webhookId: true },
  });
  const seen = new Set(known.map(keyOf));
  const stored = batch.map((d) => {
    const k = keyOf(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const fresh = batch.filter((_, i) => stored[i]);
  if (fresh.length > 0) {
    await db.webhookInbox.createMany({
      data: fresh.map(inboxRow),
    });
  }
  return stored;
}
