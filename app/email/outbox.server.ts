// Writes customer emails into the outbox, inside the transaction of the change that causes
// them: the engine's (a line becomes ready to ship) and the variant sync's (a line's promised
// date is set or moves). A row per (line, kind, promised date), created once and never reset,
// so replayed or duplicated webhooks re-derive the same change and add nothing. The worker's
// email loop (sender.server.ts) sends them. Shops that did not turn emails on get no rows.
import { dateEmailFor, nextDateChangeAt, type EmailKind } from "../backorder/customer-emails.ts";
import { todayIn } from "../backorder/eta.ts";
import type { Db, Prisma, Tx } from "../db/client.server.ts";
import { chunks, inChunks } from "../db/chunks.ts";
import { dialectOf } from "../db/dialect.ts";
import { EMAIL_STATUS } from "./outbox-status.ts";
import { LINE_STATE } from "../backorder/line-state.ts";

/** The rows that tell a customer a date (what a later move is measured against). */
export const DATE_KINDS: EmailKind[] = ["confirmation", "date_changed", "delay"];
/** Rows still going out or gone out: what the customer knows or will know. */
const TOLD_STATUSES = [EMAIL_STATUS.pending, EMAIL_STATUS.sending, EMAIL_STATUS.sent, EMAIL_STATUS.failed];

export async function enabledEmailSettings(db: Db | Tx, shop: string) {
  const s = await db.emailSettings.findUnique({ where: { shop } });
  return s?.enabled ? s : null;
}

interface OutboxKey {
  lineItemId: string;
  orderId: string;
  kind: EmailKind;
  promisedDate: string;
  dueAt: Date;
}

/** Creates the rows whose key does not exist yet; returns how many it created. */
async function insertOnce(tx: Tx, shop: string, rows: OutboxKey[], now: Date): Promise<number> {
  let created = 0;
  for (const part of chunks(rows, 200)) {
    const existing = await tx.emailOutbox.findMany({
      where: { shop, lineItemId: { in: [...new Set(part.map((r) => r.lineItemId))] } },
      select: { lineItemId: true, kind: true, promisedDate: true },
    });
    const known = new Set(existing.map((e) => `${e.lineItemId}|${e.kind}|${e.promisedDate}`));
    // createdAt from the caller's clock, like dueAt: the sender compares it with its sentAt.
    const missing = part
      .filter((r) => !known.has(`${r.lineItemId}|${r.kind}|${r.promisedDate}`))
      .map((r) => ({ shop, ...r, createdAt: now }));
    if (missing.length === 0) continue;
    // On PostgreSQL a concurrent insert of the same key is skipped, not an error (SQLite holds the write lock).
    const postgres = dialectOf(tx) === "postgres";
    const r = await tx.emailOutbox.createMany({
      data: missing,
      ...(postgres ? { skipDuplicates: true } : {}),
    } as Prisma.EmailOutboxCreateManyArgs);
    created += r.count;
  }
  return created;
}

/** The engine's hook: lines covered by stock again (waiting → allocated) get "ready to ship". */
export async function enqueueReadyEmails(
  tx: Tx,
  shop: string,
  changes: { lineItemId: string; fromState: string | null; toState: string }[],
  now = new Date(),
): Promise<number> {
  const ready = changes.filter((c) => c.fromState === LINE_STATE.waiting && c.toState === LINE_STATE.allocated).map((c) => c.lineItemId);
  if (ready.length === 0 || !(await enabledEmailSettings(tx, shop))) return 0;
  const lines = await inChunks(ready, (chunk) =>
    tx.backorderLine.findMany({
      where: { shop, lineItemId: { in: chunk }, customerEmail: { not: null } },
      select: { lineItemId: true, orderId: true, promisedShipDate: true },
    }),
  );
  return insertOnce(
    tx,
    shop,
    lines.map((l) => ({ lineItemId: l.lineItemId, orderId: l.orderId, kind: "ready", promisedDate: l.promisedShipDate ?? "", dueAt: now })),
    now,
  );
}

/**
 * The variant sync's hook: waiting lines whose promised date was set or moved get a
 * confirmation, a "date changed" or a delay notice (rules in app/backorder/customer-emails.ts).
 */
export async function enqueueDateEmails(
  tx: Tx,
  shop: string,
  moved: { lineItemId: string; before: string | null; now: string | null }[],
  now: Date,
): Promise<number> {
  if (moved.length === 0) return 0;
  const settings = await enabledEmailSettings(tx, shop);
  if (!settings) return 0;
  const timezone = (await tx.shopSettings.findUnique({ where: { shop }, select: { timezone: true } }))?.timezone ?? "UTC";
  const today = todayIn(timezone, now);
  const ids = moved.map((m) => m.lineItemId);
  const [lines, told] = await Promise.all([
    inChunks(ids, (chunk) =>
      tx.backorderLine.findMany({
        where: { shop, lineItemId: { in: chunk }, state: LINE_STATE.waiting, customerEmail: { not: null } },
        select: { lineItemId: true, orderId: true, orderedAt: true },
      }),
    ),
    inChunks(ids, (chunk) =>
      tx.emailOutbox.findMany({
        where: { shop, lineItemId: { in: chunk }, kind: { in: DATE_KINDS }, status: { in: TOLD_STATUSES } },
        orderBy: { id: "asc" },
        select: { lineItemId: true, promisedDate: true },
      }),
    ),
  ]);
  const lastTold = new Map(told.map((t) => [t.lineItemId, t.promisedDate]));
  const lineOf = new Map(lines.map((l) => [l.lineItemId, l]));
  const rows: OutboxKey[] = [];
  for (const m of moved) {
    const line = lineOf.get(m.lineItemId);
    if (!line || m.now === null) continue;
    const kind = dateEmailFor({
      before: m.before,
      told: lastTold.get(m.lineItemId) ?? null,
      now: m.now,
      today,
      orderedOn: todayIn(timezone, line.orderedAt),
      thresholdDays: settings.changeThresholdDays,
      limitDays: settings.delayLimitDays,
    });
    if (kind) rows.push({ lineItemId: line.lineItemId, orderId: line.orderId, kind, promisedDate: m.now, dueAt: now });
  }
  // "Date changed" at most once a day per order: a later one waits for the day to pass.
  const changedOrders = [...new Set(rows.filter((r) => r.kind === "date_changed").map((r) => r.orderId))];
  if (changedOrders.length) {
    const lastSent = await lastDateChangeSent(tx, shop, changedOrders);
    for (const r of rows) if (r.kind === "date_changed") r.dueAt = nextDateChangeAt(lastSent.get(r.orderId) ?? null, now);
  }
  return insertOnce(tx, shop, rows, now);
}

/** When each order last had a "date changed" email sent. */
export async function lastDateChangeSent(db: Db | Tx, shop: string, orderIds: string[]): Promise<Map<string, Date>> {
  const sent = await inChunks(orderIds, (chunk) =>
    db.emailOutbox.findMany({
      where: { shop, orderId: { in: chunk }, kind: "date_changed", status: EMAIL_STATUS.sent, sentAt: { not: null } },
      select: { orderId: true, sentAt: true },
    }),
  );
  const last = new Map<string, Date>();
  for (const s of sent) if (!last.has(s.orderId) || last.get(s.orderId)! < s.sentAt!) last.set(s.orderId, s.sentAt!);
  return last;
}
