// Rows sent as one JSON parameter (decision 0039) are stored exactly as the client stores the
// same values bound one by one: dates (SQLite keeps them as text, compared as text by the
// engine's own statements), nulls, integers, quotes, control characters, non-ASCII text; and a
// lone surrogate, which the client refuses bound, is stored as U+FFFD on both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { insertNewLines, type NewLine } from "../../app/engine/new-lines.server.ts";
import { SqlParams } from "../../app/db/sql-params.ts";
import { dialectOf } from "../../app/db/dialect.ts";

let t: TestDatabase;
const SHOP = "json-rows.myshopify.com";

beforeAll(async () => {
  t = await createTestDatabase("json_rows");
});
afterAll(() => t.drop());

const line = (id: string, extra: Partial<NewLine>): NewLine => ({
  shop: SHOP,
  lineItemId: id,
  orderId: `o-${id}`,
  orderName: `#${id}`,
  orderedAt: new Date(Date.UTC(2026, 10, 27, 14, 0, 1, 234)),
  variantId: "v1",
  title: "Drop",
  snapshotQuantity: 2,
  snapshotOpenQuantity: 2,
  quantity: 2,
  openQuantity: 2,
  unitPrice: "0",
  currency: "USD",
  state: "waiting",
  waitingQuantity: 2,
  backorderedAt: new Date(Date.UTC(2026, 10, 27, 14, 0, 2, 5)),
  ...extra,
});

describe("rows as one JSON parameter", () => {
  it("are stored as the client stores the same values, and compare in SQL as its own do", async () => {
    const values: [string, Partial<NewLine>][] = [
      ["1", { title: `Quote " and \\ backslash, 'single'`, sku: null, customerName: "Zoë Ünïcode 日本 🎉" }],
      ["2", { title: "tab\tnewline\n", customerEmail: "a@b.c", cancelledAt: new Date(Date.UTC(2026, 0, 1)) }],
      ["3", { productId: null, locationId: "loc-1", waitingParts: "loc-1:2", unitPrice: "19.99", currency: "EUR" }],
    ];
    await t.db.$transaction((tx) =>
      insertNewLines(
        tx,
        values.map(([id, e]) => line(`j${id}`, e)),
      ),
    );
    await t.db.backorderLine.createMany({ data: values.map(([id, e]) => line(`c${id}`, e)) });
    const rows = await t.db.backorderLine.findMany({ where: { shop: SHOP }, orderBy: { lineItemId: "asc" } });
    const strip = (r: (typeof rows)[number]) => ({
      ...r,
      lineItemId: r.lineItemId.slice(1),
      orderId: null,
      orderName: null,
      createdAt: null,
      updatedAt: null,
    });
    const viaJson = rows.filter((r) => r.lineItemId.startsWith("j")).map(strip);
    const viaClient = rows.filter((r) => r.lineItemId.startsWith("c")).map(strip);
    expect(viaJson).toHaveLength(3);
    expect(viaJson).toEqual(viaClient);
    // A lone surrogate: the client refuses it bound (its query's JSON); as JSON rows it is stored as U+FFFD.
    await t.db.$transaction((tx) => insertNewLines(tx, [line("z", { title: "lone \ud800 surrogate" })]));
    expect((await t.db.backorderLine.findFirstOrThrow({ where: { shop: SHOP, lineItemId: "z" } })).title).toBe("lone \ufffd surrogate");
    // Compared in SQL with a bound date, as the engine's statements do (SQLite compares the text):
    // the same rows match, equal to the millisecond.
    const p = new SqlParams(dialectOf(t.db));
    const after = await t.db.$queryRawUnsafe<{ lineItemId: string }[]>(
      `SELECT "lineItemId" FROM "BackorderLine" WHERE "shop" = ${p.p(SHOP)}
       AND "orderedAt" = ${p.p(new Date(Date.UTC(2026, 10, 27, 14, 0, 1, 234)), "timestamp(3)")}
       AND "backorderedAt" = ${p.p(new Date(Date.UTC(2026, 10, 27, 14, 0, 2, 5)), "timestamp(3)")} ORDER BY "lineItemId"`,
      ...p.values,
    );
    expect(after.map((r) => r.lineItemId)).toEqual(["c1", "c2", "c3", "j1", "j2", "j3", "z"]);
  });

  it("ids as one parameter select exactly those rows", async () => {
    const ids = (await t.db.backorderLine.findMany({ where: { shop: SHOP }, select: { lineItemId: true } })).length;
    expect(ids).toBe(7);
    const inbox = await Promise.all(
      [1, 2, 3].map((i) => t.db.webhookInbox.create({ data: { shop: SHOP, topic: "orders/create", webhookId: `w${i}`, payload: "{}" } })),
    );
    const p = new SqlParams(dialectOf(t.db));
    const picked = await t.db.$queryRawUnsafe<{ id: number }[]>(
      `SELECT "id" FROM "WebhookInbox" WHERE "id" IN (${p.ids([inbox[0]!.id, inbox[2]!.id, 999_999])}) ORDER BY "id"`,
      ...p.values,
    );
    expect(picked.map((r) => Number(r.id))).toEqual([inbox[0]!.id, inbox[2]!.id]);
  });
});
