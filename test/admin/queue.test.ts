// The queue page's data on a real database: FIFO positions and ship dates, keyset
// pages that cover every line once in both directions, filters, search, the CSV
// export, and strict shop scoping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fifoCompare } from "../../app/backorder/allocation.ts";
import { shipDateForUnit } from "../../app/backorder/eta.ts";
import { loadQueuePage, type QueueRow } from "../../app/admin/queue.server.ts";
import { queueCsvStream } from "../../app/admin/queue-export.server.ts";
import { DEFAULT_QUERY, decodeCursor, type QueueQuery } from "../../app/admin/queue-query.ts";
import { markNotified, requestCancellation, setRestockDate } from "../../app/admin/bulk-actions.server.ts";
import { loadDashboard } from "../../app/admin/metrics.server.ts";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const NOW = new Date("2026-11-26T12:00:00Z");
const A = "shop-a.myshopify.com";
const B = "shop-b.myshopify.com";
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("admin_queue");
  await seedAdminShop(t.db, { shop: A, lines: 260, now: NOW, seed: 1 });
  await seedAdminShop(t.db, { shop: B, lines: 120, now: NOW, seed: 2 });
});
afterAll(() => t?.drop());

const query = (q: Partial<QueueQuery> = {}): QueueQuery => ({ ...DEFAULT_QUERY, ...q });

async function walk(shop: string, q: QueueQuery, pageSize: number): Promise<QueueRow[]> {
  const rows: QueueRow[] = [];
  let after = null;
  for (let i = 0; i < 1000; i++) {
    const page = await loadQueuePage(t.db, shop, { ...q, after }, NOW, pageSize);
    rows.push(...page.rows);
    if (!page.nextCursor) return rows;
    after = decodeCursor(page.nextCursor, q.sort);
  }
  throw new Error("pagination did not end");
}

describe("queue page", () => {
  it("lists every waiting line once, oldest first, with its FIFO position and ship date", async () => {
    const rows = await walk(A, query(), 17);
    const waiting = await t.db.backorderLine.findMany({ where: { shop: A, state: "waiting" } });
    expect(rows.map((r) => r.lineItemId).sort()).toEqual(waiting.map((w) => w.lineItemId).sort());
    expect(rows.map((r) => r.orderedAt)).toEqual([...rows.map((r) => r.orderedAt)].sort());

    // Positions and ship dates recomputed independently, variant by variant.
    const policies = new Map((await t.db.variantPolicy.findMany({ where: { shop: A } })).map((p) => [p.variantId, p]));
    const byVariant = new Map<string, typeof waiting>();
    for (const w of waiting) byVariant.set(w.variantId, [...(byVariant.get(w.variantId) ?? []), w]);
    const expected = new Map<string, { position: number; eta: string | null }>();
    for (const [variantId, lines] of byVariant) {
      lines.sort(fifoCompare);
      const p = policies.get(variantId);
      let units = 0;
      lines.forEach((l, i) => {
        units += l.waitingQuantity;
        const eta = shipDateForUnit(units, {
          restockDate: p?.restockDate ? p.restockDate.toISOString().slice(0, 10) : null,
          incomingQuantity: p?.incomingQuantity ?? null,
          leadTimeDays: p?.leadTimeDays ?? 14,
          processingDays: 1,
          today: "2026-11-26",
        });
        expected.set(l.lineItemId, { position: i + 1, eta });
      });
    }
    for (const r of rows)
      expect({ id: r.lineItemId, position: r.position, eta: r.eta }).toEqual({ id: r.lineItemId, ...expected.get(r.lineItemId) });
    expect(rows.some((r) => (r.position ?? 0) > 3)).toBe(true);
  });

  it("pages backwards to the same rows", async () => {
    const first = await loadQueuePage(t.db, A, query({ sort: "waiting" }), NOW, 10);
    const second = await loadQueuePage(t.db, A, query({ sort: "waiting", after: decodeCursor(first.nextCursor, "waiting") }), NOW, 10);
    expect(second.prevCursor).not.toBeNull();
    const back = await loadQueuePage(t.db, A, query({ sort: "waiting", before: decodeCursor(second.prevCursor, "waiting") }), NOW, 10);
    expect(back.rows.map((r) => r.lineItemId)).toEqual(first.rows.map((r) => r.lineItemId));
    expect(back.prevCursor).toBeNull();
    const quantities = first.rows.concat(second.rows).map((r) => r.waitingQuantity);
    expect(quantities).toEqual([...quantities].sort((a, b) => b - a));
  });

  it("filters by variant, state and age, and searches order, customer and SKU ignoring case", async () => {
    const sample = (await loadQueuePage(t.db, A, query(), NOW, 1)).rows[0]!;
    const byVariant = await walk(A, query({ variantId: sample.variantId }), 50);
    expect(byVariant.length).toBeGreaterThan(0);
    expect(byVariant.every((r) => r.variantId === sample.variantId && r.state === "waiting")).toBe(true);
    expect(byVariant.map((r) => r.position)).toEqual(byVariant.map((_, i) => i + 1));

    const old = await walk(A, query({ state: "all", minAgeDays: 30 }), 100);
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((r) => r.ageDays >= 30)).toBe(true);
    expect(new Set(old.map((r) => r.state)).size).toBeGreaterThan(2);
    const fulfilled = await loadQueuePage(t.db, A, query({ state: "fulfilled" }), NOW);
    expect(fulfilled.rows.every((r) => r.state === "fulfilled" && r.position === null && r.eta === null)).toBe(true);

    const name = sample.customerName!.split(" ")[1]!;
    const found = await walk(A, query({ state: "all", search: name.toUpperCase() }), 100);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((r) => `${r.customerName} ${r.customerEmail}`.toLowerCase().includes(name.toLowerCase()))).toBe(true);
    expect((await loadQueuePage(t.db, A, query({ search: sample.orderName }), NOW)).rows.map((r) => r.lineItemId)).toContain(
      sample.lineItemId,
    );
    const sku = await loadQueuePage(t.db, A, query({ state: "all", search: sample.sku!.toLowerCase() }), NOW, 500);
    expect(sku.rows.length).toBe(sku.total);
    expect(sku.rows.every((r) => r.sku === sample.sku)).toBe(true);
  });

  it("exports the filtered queue as CSV with the page's numbers", async () => {
    const sample = (await loadQueuePage(t.db, A, query(), NOW, 1)).rows[0]!;
    const q = query({ variantId: sample.variantId });
    const csv = await new Response(queueCsvStream(t.db, A, q, NOW)).text();
    const lines = csv
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    const rows = await walk(A, q, 50);
    expect(lines[0]).toBe(
      "Order,Ordered at,Customer,Email,Product,Variant,SKU,Quantity,Waiting,State,Position,Ship date,Age (days),Notified at,Cancellation,Customer answer,Unit price,Currency",
    );
    expect(lines.length).toBe(rows.length + 1);
    const firstCells = lines[1]!.split(",");
    expect(firstCells[0]).toBe(rows[0]!.orderName);
    expect(firstCells[10]).toBe("1");
    expect(firstCells[11]).toBe(rows[0]!.eta);
    const all = await new Response(queueCsvStream(t.db, A, query({ state: "all" }), NOW)).text();
    expect(all.trimEnd().split("\r\n").length - 1).toBe(await t.db.backorderLine.count({ where: { shop: A } }));
  });

  it("escapes hostile customer data in the export", async () => {
    const shop = "hostile.myshopify.com";
    await seedAdminShop(t.db, { shop, lines: 3, variants: 2, now: NOW, problems: false });
    await t.db.backorderLine.updateMany({
      where: { shop },
      data: { state: "waiting", waitingQuantity: 1, customerName: '=HYPERLINK("http://x","Click")', customerEmail: "a,b@example.com" },
    });
    const csv = await new Response(queueCsvStream(t.db, shop, query(), NOW)).text();
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""Click"")","a,b@example.com"`);
  });
});

describe("shop scoping", () => {
  it("never shows, exports, counts or changes another shop's lines", async () => {
    const aIds = new Set(
      (await t.db.backorderLine.findMany({ where: { shop: A }, select: { lineItemId: true } })).map((l) => l.lineItemId),
    );
    const bRows = await walk(B, query({ state: "all" }), 100);
    expect(bRows.length).toBe(120);
    expect(bRows.some((r) => aIds.has(r.lineItemId))).toBe(false);
    const bCsv = await new Response(queueCsvStream(t.db, B, query({ state: "all" }), NOW)).text();
    for (const id of [...aIds].slice(0, 20)) expect(bCsv).not.toContain(id);

    const dashB = await loadDashboard(t.db, B, { now: NOW });
    expect(dashB.openLines).toBe(await t.db.backorderLine.count({ where: { shop: B, state: "waiting" } }));
    expect(dashB.cancellation.orders).toBeLessThanOrEqual(120);

    // Shop B acting on shop A's line ids: nothing happens to A.
    const aWaiting = await t.db.backorderLine.findMany({ where: { shop: A, state: "waiting" }, take: 3 });
    const ids = aWaiting.map((l) => l.lineItemId);
    expect(await markNotified(t.db, B, ids, NOW)).toEqual({ ok: false, error: "Select at least one line." });
    expect((await requestCancellation(t.db, B, ids, NOW)).ok).toBe(false);
    expect((await setRestockDate(t.db, B, ids, "2026-12-20", NOW)).ok).toBe(false);
    const after = await t.db.backorderLine.findMany({ where: { shop: A, lineItemId: { in: ids } } });
    expect(after.map((l) => l.notifiedAt)).toEqual(aWaiting.map((l) => l.notifiedAt));
    expect(await t.db.syncTask.count({ where: { shop: B, kind: "order-cancel" } })).toBe(0);
  });
});
