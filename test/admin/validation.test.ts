// The pure parts of the admin: form validation (every message a merchant can see),
// CSV cells and the queue's URL state.
import { describe, expect, it } from "vitest";
import { validateVariantSettings, checkRestockDate, MESSAGE_MAX } from "../../app/admin/variant-settings.ts";
import { validateShopSettings } from "../../app/admin/shop-settings.ts";
import { csvCell, csvRow } from "../../app/admin/csv.ts";
import { decodeCursor, encodeCursor, parseQueueQuery, queueQueryParams } from "../../app/admin/queue-query.ts";

const today = "2026-11-26";

describe("variant settings validation", () => {
  it("turns a complete single-variant form into a patch", () => {
    const r = validateVariantSettings(
      {
        enabled: "on",
        autoEnable: "off",
        maxBackorder: "25",
        restockDate: "2026-12-15",
        incomingQuantity: "40",
        leadTimeDays: "21",
        message: "  Ships in December  ",
      },
      { today, bulk: false },
    );
    expect(r).toEqual({
      ok: true,
      patch: {
        enabled: true,
        autoEnable: false,
        maxBackorder: 25,
        restockDate: "2026-12-15",
        incomingQuantity: 40,
        leadTimeDays: 21,
        message: "Ships in December",
      },
    });
  });

  it("clears blank fields for one variant but keeps them in bulk", () => {
    const blank = { enabled: "on", maxBackorder: "", restockDate: " ", incomingQuantity: "", leadTimeDays: "", message: "" };
    expect(validateVariantSettings(blank, { today, bulk: false })).toEqual({
      ok: true,
      patch: { enabled: true, maxBackorder: null, restockDate: null, incomingQuantity: null, leadTimeDays: null, message: null },
    });
    expect(validateVariantSettings(blank, { today, bulk: true })).toEqual({ ok: true, patch: { enabled: true } });
  });

  it("explains each wrong field", () => {
    const r = validateVariantSettings(
      { maxBackorder: "-3", restockDate: "2026-11-20", incomingQuantity: "2.5", leadTimeDays: "400", message: "x".repeat(MESSAGE_MAX + 1) },
      { today, bulk: true },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.maxBackorder).toBe("Backorder limit cannot be negative.");
    expect(r.errors.restockDate).toBe("Restock date 2026-11-20 is in the past (today is 2026-11-26).");
    expect(r.errors.incomingQuantity).toBe("Incoming quantity must be a whole number (no decimals).");
    expect(r.errors.leadTimeDays).toBe("Lead time cannot be more than 365.");
    expect(r.errors.message).toMatch(/^Message is 201 characters; keep it to 200/);
  });

  it("rejects impossible dates, markup and an empty bulk edit", () => {
    expect(checkRestockDate("2027-02-30", today)).toEqual({ error: "Restock date must be a date like 2026-12-31." });
    expect(checkRestockDate("2026-11-26", today)).toEqual({ value: "2026-11-26" });
    expect(checkRestockDate("2029-01-01", today)).toEqual({ error: "Restock date is more than two years away." });
    const html = validateVariantSettings({ message: "<b>soon</b>" }, { today, bulk: false });
    expect(html.ok === false && html.errors.message).toMatch(/cannot contain < or >/);
    expect(validateVariantSettings({ enabled: "", maxBackorder: "" }, { today, bulk: true })).toEqual({
      ok: false,
      errors: { form: "Nothing to change: fill in at least one field." },
    });
  });
});

describe("shop settings validation", () => {
  const valid = {
    messageTemplate: "Backorder — ships ~{date}",
    defaultLeadTimeDays: "10",
    processingDays: "2",
    autoEnableTag: "preorder-ok",
    autoEnableCollectionId: "4242",
    orderTag: "backorder",
    holdMode: "lines",
  };

  it("accepts a valid form and normalises the collection id", () => {
    expect(validateShopSettings(valid)).toEqual({
      ok: true,
      values: {
        messageTemplate: "Backorder — ships ~{date}",
        defaultLeadTimeDays: 10,
        processingDays: 2,
        autoEnableTag: "preorder-ok",
        autoEnableCollectionId: "gid://shopify/Collection/4242",
        orderTag: "backorder",
        holdMode: "lines",
        flowTriggers: true,
      },
    });
    expect(validateShopSettings({ ...valid, flowTriggers: "off" })).toMatchObject({ ok: true, values: { flowTriggers: false } });
    expect(validateShopSettings({ ...valid, flowTriggers: "on" })).toMatchObject({ ok: true, values: { flowTriggers: true } });
    const off = validateShopSettings({ ...valid, holdMode: "off", autoEnableTag: "", autoEnableCollectionId: "" });
    expect(off.ok && off.values).toMatchObject({ holdMode: "off", autoEnableTag: null, autoEnableCollectionId: null });
    expect(validateShopSettings({ ...valid, holdMode: "order" })).toMatchObject({ ok: true, values: { holdMode: "order" } });
  });

  it("requires {date} in the template and sane numbers", () => {
    const r = validateShopSettings({
      ...valid,
      messageTemplate: "Ships soon",
      defaultLeadTimeDays: "-1",
      processingDays: "x",
      orderTag: "a,b",
      autoEnableCollectionId: "shirts",
      holdMode: "on",
      flowTriggers: "yes",
    });
    expect(r).toEqual({
      ok: false,
      errors: {
        messageTemplate: "Message template must contain {date}, where the ship date goes.",
        defaultLeadTimeDays: "Default lead time cannot be negative.",
        processingDays: "Processing time must be a whole number of days.",
        orderTag: "Enter one tag (no commas).",
        autoEnableCollectionId: "Collection must be a collection ID (digits) or gid://shopify/Collection/…",
        holdMode: "Choose how orders with backordered items are held.",
        flowTriggers: "Choose whether Shopify Flow triggers are sent.",
      },
    });
  });
});

describe("CSV cells", () => {
  it("quotes separators, quotes and line breaks", () => {
    expect(csvCell('Linen Shirt, "S"')).toBe('"Linen Shirt, ""S"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(12)).toBe("12");
    expect(csvRow(["a", 1, null])).toBe("a,1,\r\n");
  });

  it("keeps formulas from running in spreadsheets", () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell("+1 555")).toBe("'+1 555");
    expect(csvCell("-5")).toBe("'-5");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell(-5)).toBe("-5"); // numbers we wrote ourselves stay numbers
    // A separator then a formula: Excel in a ";" locale starts a new cell there.
    expect(csvCell(";=1+1")).toBe(`"';'=1+1"`);
    expect(csvCell("Ann;@SUM(A1)")).toBe(`"Ann;'@SUM(A1)"`);
    expect(csvCell("Ann-Marie O'Neil")).toBe("Ann-Marie O'Neil"); // a dash inside a name is no formula
  });
});

describe("queue URL state", () => {
  it("round-trips filters and cursors, dropping junk", () => {
    const cursor = { sort: "newest" as const, v: "2026-11-01T10:00:00.000Z", id: "1234" };
    const q = parseQueueQuery(
      new URLSearchParams({ state: "open", sort: "newest", q: " Rossi ", variant: "44", age: "7", after: encodeCursor(cursor) }),
    );
    expect(q).toEqual({ state: "open", sort: "newest", search: "Rossi", variantId: "44", minAgeDays: 7, after: cursor, before: null });
    expect(parseQueueQuery(queueQueryParams(q))).toEqual(q);
    expect(parseQueueQuery(new URLSearchParams({ state: "bogus", sort: "x", age: "-3", after: "%%%" }))).toMatchObject({
      state: "waiting",
      sort: "oldest",
      minAgeDays: null,
      after: null,
    });
    expect(decodeCursor(encodeCursor({ sort: "waiting", v: 3, id: "gid://shopify/LineItem/42" }), "waiting")).toEqual({
      sort: "waiting",
      v: 3,
      id: "gid://shopify/LineItem/42",
    });
    // Only cursors we could have written for this sort: a line id is a Shopify id, a position belongs to its sort.
    expect(decodeCursor(encodeCursor({ sort: "waiting", v: 3, id: "Zoë" }), "waiting")).toBeNull();
    expect(decodeCursor(encodeCursor({ sort: "waiting", v: 3, id: "42" }), "oldest")).toBeNull();
  });
});
