// Bulk actions on "every line matching the filter" (the queue page's select-all across
// pages): the server resolves the lines from the filter, over more lines than a page
// holds, for the merchant's shop only. Expected sets are computed with plain queries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBulkAction } from "../../app/admin/bulk-actions.server.ts";
import { loadQueuePage } from "../../app/admin/queue.server.ts";
import { PAGE_SIZE, parseQueueQuery } from "../../app/admin/queue-query.ts";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const NOW = new Date("2026-11-26T12:00:00Z");
const ACT = new Date("2026-11-26T13:00:00Z");
const DAY = 86_400_000;
const A = "filter-a.myshopify.com";
const B = "filter-b.myshopify.com";
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("admin_bulk_filter");
  await seedAdminShop(t.db, { shop: A, lines: 400, now: NOW, seed: 11, problems: false });
  await seedAdminShop(t.db, { shop: B, lines: 150, now: NOW, seed: 12, problems: false });
});
afterAll(() => t?.drop());

/** The form the queue page posts after "Select all N lines matching the filter". */
function allMatching(intent: string, filters: string, extra: Record<string, string> = {}) {
  const form = new FormData();
  form.set("intent", intent);
  form.set("scope", "filter");
  form.set("filters", filters);
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  return form;
}

describe("bulk actions on every line matching the filter", () => {
  it("marks every matching line notified, across pages, and nothing else", async () => {
    // Waiting lines ordered more than 7 days before the action; the cursor of page 2 rides along and must not narrow it.
    const page1 = await loadQueuePage(t.db, A, parseQueueQuery(new URLSearchParams("age=7")), ACT);
    expect(page1.nextCursor).not.toBeNull();
    const expected = await t.db.backorderLine.findMany({
      where: { shop: A, state: "waiting", orderedAt: { lte: new Date(ACT.getTime() - 7 * DAY) } },
      select: { lineItemId: true },
    });
    expect(expected.length).toBeGreaterThan(PAGE_SIZE);
    expect(page1.total).toBe(expected.length);
    const before = await t.db.backorderLine.findMany({ select: { shop: true, lineItemId: true, notifiedAt: true } });

    const r = await runBulkAction(t.db, A, allMatching("notified", `age=7&after=${page1.nextCursor}`), ACT);
    expect(r).toEqual({ ok: true, count: expected.length, message: `${expected.length} lines marked as notified.` });

    const want = new Set(expected.map((l) => l.lineItemId));
    const after = new Map(
      (await t.db.backorderLine.findMany({ select: { shop: true, lineItemId: true, notifiedAt: true } })).map((l) => [
        `${l.shop}/${l.lineItemId}`,
        l.notifiedAt,
      ]),
    );
    for (const l of before) {
      const now = after.get(`${l.shop}/${l.lineItemId}`);
      if (l.shop === A && want.has(l.lineItemId)) expect(now).toEqual(ACT);
      else expect(now).toEqual(l.notifiedAt); // other states, newer lines, the other shop: untouched
    }
  });

  it("requests cancellation of every matching line's order, once per order", async () => {
    const lines = await t.db.backorderLine.findMany({
      where: { shop: A, state: { in: ["waiting", "allocated"] } },
      select: { orderId: true },
    });
    expect(lines.length).toBeGreaterThan(PAGE_SIZE);
    const orders = [...new Set(lines.map((l) => l.orderId))].sort();
    const r = await runBulkAction(t.db, A, allMatching("cancel", "state=open"), ACT);
    expect(r).toMatchObject({ ok: true, count: orders.length });
    const tasks = await t.db.syncTask.findMany({ where: { shop: A, kind: "order-cancel" }, select: { targetId: true, status: true } });
    expect(tasks.map((x) => x.targetId).sort()).toEqual(orders);
    expect(tasks.every((x) => x.status === "pending")).toBe(true);
    expect(await t.db.syncTask.count({ where: { shop: B } })).toBe(0);
  });

  it("sets the restock date of the variants of every line the search matches", async () => {
    const term = "lin-1"; // the Linen Shirt's SKUs, typed in lower case
    // Same matching as the page (order, customer, email, SKU or title; case ignored), state "all".
    const matching = await t.db.backorderLine.findMany({ where: { shop: A, sku: { startsWith: "LIN-1" } }, select: { variantId: true } });
    expect(matching.length).toBeGreaterThan(PAGE_SIZE);
    expect((await loadQueuePage(t.db, A, parseQueueQuery(new URLSearchParams(`state=all&q=${term}`)), ACT)).total).toBe(matching.length);
    const variants = [...new Set(matching.map((l) => l.variantId))].sort();
    const r = await runBulkAction(t.db, A, allMatching("restock-date", `state=all&q=${term}`, { restockDate: "2027-01-05" }), ACT);
    expect(r).toMatchObject({ ok: true, count: variants.length });
    const dated = await t.db.variantPolicy.findMany({
      where: { shop: A, restockDate: new Date("2027-01-05T00:00:00Z") },
      select: { variantId: true },
    });
    expect(dated.map((p) => p.variantId).sort()).toEqual(variants);
    const synced = await t.db.syncTask.findMany({ where: { shop: A, kind: "variant", status: "pending" }, select: { targetId: true } });
    expect(synced.map((x) => x.targetId).sort()).toEqual(variants);
  });

  it("resolves the filter in the acting shop only", async () => {
    const bBefore = await t.db.backorderLine.findMany({ where: { shop: B }, orderBy: { lineItemId: "asc" }, select: { notifiedAt: true } });
    const aBefore = await t.db.backorderLine.findMany({ where: { shop: A }, orderBy: { lineItemId: "asc" }, select: { notifiedAt: true } });
    const bAll = await t.db.backorderLine.count({ where: { shop: B } });
    // Shop B, the widest filter: all of B's lines, none of A's.
    const later = new Date(ACT.getTime() + DAY);
    expect(await runBulkAction(t.db, B, allMatching("notified", "state=all"), later)).toMatchObject({ ok: true, count: bAll });
    expect(await t.db.backorderLine.findMany({ where: { shop: A }, orderBy: { lineItemId: "asc" }, select: { notifiedAt: true } })).toEqual(
      aBefore,
    );
    expect(bBefore.length).toBe(bAll);
    expect(await t.db.backorderLine.count({ where: { shop: B, notifiedAt: later } })).toBe(bAll);
    // A filter nothing matches is an error, not a silent no-op.
    expect(await runBulkAction(t.db, B, allMatching("notified", "q=no-such-customer-anywhere"), later)).toEqual({
      ok: false,
      error: "No lines match the filter.",
    });
  });
});
