// Group commit for the webhook inbox. Deliveries that arrive while a write is in flight wait
// for it and then go in together, as one INSERT: on SQLite every write takes the file's one
// write lock (shared with the worker), and 64 senders each taking it in turn is what made
// acknowledgements late. Nothing waits on purpose: a delivery that finds no write in flight
// is written at once, so a quiet shop pays nothing and a burst pays one lock per batch.
import { libsqlClientOf, pgPoolOf, type Db } from "../db/client.server.ts";
import { dialectOf } from "../db/dialect.ts";
import { valuesList } from "../db/values-list.ts";
import { isLargeBody, PART_BYTES } from "./body-parts.server.ts";
import { inboxRow, storeDelivery, storeLargeDelivery, type Delivery } from "./inbox.server.ts";

export interface InboxWriterLimits {
  /** Deliveries per INSERT (a flash sale sends them by the dozen); 10 parameters each, within SQLite's 32,766. */
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
          // The batch's statement failed (a database error, or one delivery the database would not
          // take): each delivery on its own, with its own answer.
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
 * One INSERT … ON CONFLICT DO NOTHING: atomic without an interactive transaction (on SQLite it
 * holds the write lock only for itself), a twin stored meanwhile by another process is skipped
 * rather than failing the batch, and RETURNING says which rows are new. Hand-written SQL: Prisma's
 * query compiler took more of the web process's time per batch than the database did. It goes
 * straight to the client's pg pool or libsql client: through Prisma even a raw statement is
 * compiled by its Wasm query compiler on every call (~10 % of the web process in a burst).
 */
export async function storeBatch(db: Db, batch: Delivery[]): Promise<boolean[]> {
  // A retry that arrives twice within one batch: the first is the delivery, the rest duplicates.
  const first = new Map<string, number>();
  batch.forEach((d, i) => {
    if (!first.has(keyOf(d))) first.set(keyOf(d), i);
  });
  const unique = [...first.values()].map((i) => batch[i]!);
  const pool = pgPoolOf(db);
  const libsql = pool ? null : libsqlClientOf(db);
  // The defaults of a Prisma create, written out: the database's own CURRENT_TIMESTAMP is not
  // the format Prisma writes on SQLite, and the worker compares these columns. Sent past Prisma,
  // times are text as Prisma writes them: to pg UTC ISO (the columns are timestamp(3) without a
  // time zone holding UTC; pg would send a Date in the process's local zone), to SQLite UTC
  // ISO with "+00:00" (compared as text there).
  const time = pool
    ? (t: Date | null) => t && t.toISOString()
    : libsql
      ? (t: Date | null) => t && t.toISOString().replace(/Z$/, "+00:00")
      : (t: Date | null) => t;
  const now = time(new Date());
  const values = valuesList(
    pool ? "postgres" : dialectOf(db),
    unique.map((d) => {
      const r = inboxRow(d);
      return [r.shop, r.topic, r.webhookId, r.eventId, r.apiVersion, time(r.triggeredAt), r.payload, r.bodyId, now, now];
    }),
  );
  const sql = `INSERT INTO "WebhookInbox" ("shop", "topic", "webhookId", "eventId", "apiVersion", "triggeredAt", "payload", "bodyId", "receivedAt", "nextAttemptAt")
    VALUES ${values.sql}
    ON CONFLICT ("shop", "webhookId") DO NOTHING
    RETURNING "shop", "webhookId"`;
  type Key = { shop: string; webhookId: string };
  const inserted: Key[] = pool
    ? (await pool.query<Key>(sql, values.params)).rows
    : libsql
      ? (await libsql.execute({ sql, args: values.params as (string | null)[] })).rows.map((r) => ({
          shop: String(r.shop),
          webhookId: String(r.webhookId),
        }))
      : await db.$queryRawUnsafe<Key[]>(sql, ...values.params);
  const stored = new Set(inserted.map(keyOf));
  return batch.map((d, i) => first.get(keyOf(d)) === i && stored.has(keyOf(d)));
}
