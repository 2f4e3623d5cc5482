// CSV export of the filtered queue, streamed in keyset chunks so a 100,000-line shop
// never sits in memory as rows or as one string. Positions are computed once per variant
// (its waiting lines in FIFO order) instead of one aggregate per line as the page does.
import { aheadOfParts, fifoCompare, waitingPartsOf } from "../backorder/allocation.ts";
import type { Db } from "../db/client.server.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { csvRow } from "./csv.ts";
import { type Cursor, type QueueQuery } from "./queue-query.ts";
import { LINE_SELECT, cursorValue, describeLines, keyset, orderBy, queueWhere, type AheadOf, type QueueRow } from "./queue.server.ts";

// Each chunk binds its line, order and variant ids as parameters: stay under SQLite's 999.
const CHUNK = 400;

export const CSV_HEADER = [
  "Order",
  "Ordered at",
  "Customer",
  "Email",
  "Product",
  "Variant",
  "SKU",
  "Quantity",
  "Waiting",
  "State",
  "Position",
  "Ship date",
  "Age (days)",
  "Notified at",
  "Cancellation",
  "Customer answer",
  "Unit price",
  "Currency",
];

export const csvLine = (r: QueueRow): string =>
  csvRow([
    r.orderName,
    r.orderedAt,
    r.customerName,
    r.customerEmail,
    r.productTitle,
    r.variantTitle,
    r.sku,
    r.quantity,
    r.waitingQuantity,
    r.state,
    r.position,
    r.eta,
    r.ageDays,
    r.notifiedAt,
    r.cancellation,
    r.consent ? `${r.consent.choice} (${r.consent.promisedDate})` : null,
    r.unitPrice,
    r.currency,
  ]);

/** Units ahead per line, from each variant's whole waiting line-up per location (loaded on first need; as queue.server.ts unitsAhead). */
function variantLineups(client: Db, shop: string): AheadOf {
  const lineups = new Map<string, Promise<Map<string, { lines: number; units: number }>>>();
  const load = async (variantId: string) => {
    const waiting = await client.backorderLine.findMany({
      where: { shop, variantId, state: LINE_STATE.waiting },
      select: { lineItemId: true, orderedAt: true, waitingQuantity: true, locationId: true, waitingParts: true },
    });
    waiting.sort(fifoCompare);
    const ahead = new Map<string, { lines: number; units: number }>();
    const atLocation = new Map<string, { lines: number; units: number }>();
    let all = { lines: 0, units: 0 }; // a line without a location counts every one ahead, as unitsAhead does
    for (const w of waiting) {
      // A split line (decision 0033): one part in each location's queue, ahead as its last part.
      const parts = waitingPartsOf(w).map(([at, units]) => ({
        at,
        units,
        ahead: at === null ? all : (atLocation.get(at) ?? { lines: 0, units: 0 }),
      }));
      ahead.set(w.lineItemId, parts.length === 1 ? parts[0]!.ahead : aheadOfParts(parts, w.waitingQuantity));
      for (const part of parts)
        if (part.at !== null) atLocation.set(part.at, { lines: part.ahead.lines + 1, units: part.ahead.units + part.units });
      all = { lines: all.lines + 1, units: all.units + w.waitingQuantity };
    }
    return ahead;
  };
  return async (line) => {
    let lineup = lineups.get(line.variantId);
    if (!lineup) lineups.set(line.variantId, (lineup = load(line.variantId)));
    return (await lineup).get(line.lineItemId) ?? { lines: 0, units: 0 };
  };
}

export function queueCsvStream(client: Db, shop: string, q: QueueQuery, now = new Date()): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const where = queueWhere(client, shop, { ...q, after: null, before: null }, now);
  const aheadOf = variantLineups(client, shop);
  let cursor: Cursor | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          // BOM: Excel reads the file as UTF-8 (customer names are not ASCII).
          controller.enqueue(encoder.encode(`\uFEFF${csvRow(CSV_HEADER)}`));
          return;
        }
        const lines = await client.backorderLine.findMany({
          where: cursor ? { AND: [where, keyset(q.sort, cursor, false)] } : where,
          orderBy: orderBy(q.sort, false),
          take: CHUNK,
          select: LINE_SELECT,
        });
        if (lines.length === 0) {
          controller.close();
          return;
        }
        const rows = await describeLines(client, shop, lines, now, aheadOf);
        controller.enqueue(encoder.encode(rows.map(csvLine).join("")));
        const last = lines[lines.length - 1]!;
        cursor = cursorValue(q.sort, last);
        if (lines.length < CHUNK) controller.close();
      } catch (e) {
        controller.error(e);
      }
    },
  });
}

export function csvFileName(now: Date): string {
  return `backorder-queue-${now.toISOString().slice(0, 10)}.csv`;
}
