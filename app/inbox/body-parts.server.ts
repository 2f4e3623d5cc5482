// Large webhook bodies, stored and read in parts (WebhookBodyPart). One statement carrying a
// 40 MB parameter kept the web process's thread busy for seconds (Prisma's handling of the
// value, then libsql's synchronous call); parts of at most PART_BYTES, each its own statement
// with a turn of the event loop in between, keep every block short. The inbox row that
// names a body (bodyId) is written after all of its parts, so a reader never sees it partial.
import crypto from "node:crypto";
import type { Db, Tx } from "../db/client.server.ts";
import { dialectOf } from "../db/dialect.ts";
import { chunks } from "../db/chunks.ts";

/** The most UTF-8 bytes in one part, and the largest body stored in the inbox row itself. */
export const PART_BYTES = 1024 * 1024;

/** True when the body goes in parts (a string's UTF-8 length without encoding it). */
export const isLargeBody = (text: string) => text.length > PART_BYTES || Buffer.byteLength(text) > PART_BYTES;

/** Lets other callbacks (requests, timers) run between two parts. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The end of the part that starts at `start`: at most PART_BYTES of UTF-8, and never between
 * the two halves of a surrogate pair (each half alone is not text and would not survive).
 */
export function partEnd(text: string, start: number): number {
  let end = Math.min(text.length, start + PART_BYTES);
  while (Buffer.byteLength(text.slice(start, end)) > PART_BYTES) end = start + Math.floor((end - start) * 0.75);
  const last = text.charCodeAt(end - 1);
  if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
  return end;
}

/** Writes `text` as parts of a new body; returns its id. On failure, the parts already written are deleted. */
export async function writeBodyParts(db: Db | Tx, shop: string, text: string): Promise<string> {
  const bodyId = crypto.randomUUID();
  try {
    for (let seq = 0, start = 0; start < text.length; seq++) {
      const end = partEnd(text, start);
      await db.webhookBodyPart.create({ data: { bodyId, seq, shop, text: text.slice(start, end) }, select: { seq: true } });
      start = end;
      await yieldToEventLoop();
    }
  } catch (e) {
    await deleteBodyParts(db, [bodyId]).catch(() => {});
    throw e;
  }
  return bodyId;
}

/** The body's text, exactly as it was written. */
export async function readBodyParts(db: Db | Tx, bodyId: string): Promise<string> {
  const texts: string[] = [];
  for (let seq = 0; ; seq++) {
    const part = await db.webhookBodyPart.findUnique({ where: { bodyId_seq: { bodyId, seq } }, select: { text: true } });
    if (!part) break;
    texts.push(part.text);
    await yieldToEventLoop();
  }
  return texts.join("");
}

export async function deleteBodyParts(db: Db | Tx, bodyIds: readonly string[]): Promise<void> {
  for (const part of chunks(bodyIds)) await db.webhookBodyPart.deleteMany({ where: { bodyId: { in: part } } });
}

/** Each body's size in bytes, summed by the database (the parts are not read). */
export async function bodyPartBytes(db: Db | Tx, bodyIds: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const postgres = dialectOf(db) === "postgres";
  for (const part of chunks(bodyIds)) {
    const marks = part.map((_, i) => (postgres ? `$${i + 1}` : "?")).join(", ");
    const rows = await db.$queryRawUnsafe<{ bodyId: string; bytes: unknown }[]>(
      postgres
        ? `SELECT "bodyId", SUM(octet_length(text)) AS bytes FROM "WebhookBodyPart" WHERE "bodyId" IN (${marks}) GROUP BY "bodyId"`
        : `SELECT "bodyId", SUM(length(CAST(text AS BLOB))) AS bytes FROM "WebhookBodyPart" WHERE "bodyId" IN (${marks}) GROUP BY "bodyId"`,
      ...part,
    );
    for (const r of rows) sizes.set(r.bodyId, Number(r.bytes));
  }
  return sizes;
}

/** A body still without its inbox row after this long was never finished (its process died mid-store). */
export const ORPHAN_AFTER_MS = 60 * 60 * 1000;

/** Deletes parts of bodies whose row was never written; returns how many bodies. */
export async function deleteOrphanedBodyParts(db: Db, now = new Date()): Promise<number> {
  const old = await db.webhookBodyPart.findMany({
    where: { createdAt: { lt: new Date(now.getTime() - ORPHAN_AFTER_MS) } },
    distinct: ["bodyId"],
    select: { bodyId: true },
    take: 500,
  });
  if (old.length === 0) return 0;
  const ids = old.map((o) => o.bodyId);
  const named = await db.webhookInbox.findMany({ where: { bodyId: { in: ids } }, select: { bodyId: true } });
  const keep = new Set(named.map((n) => n.bodyId));
  const orphans = ids.filter((id) => !keep.has(id));
  await deleteBodyParts(db, orphans);
  return orphans.length;
}
