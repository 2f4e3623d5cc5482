// Customer emails end to end: signed webhooks through the real door and worker, the sync
// against the Admin API stand-in, the outbox, and the sender delivering over SMTP to a real
// server on 127.0.0.1; messages are parsed with mailparser. Languages, dates, the consent
// links, exactly once under replayed webhooks, one date change a day per order, a failing
// server (retries, then failed on the Emails page, then a retry), redaction, data requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "../sync/harness.ts";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { fromCalendarDate } from "../../app/backorder/eta.ts";
import { emailRetryDelayMs, MAX_EMAIL_ATTEMPTS } from "../../app/backorder/customer-emails.ts";
import { enqueueTask } from "../../app/sync/tasks.server.ts";
import { retryFailedEmails, sendDueEmails } from "../../app/email/sender.server.ts";
import { loadEmailPage, saveEmailSettings, saveEmailTemplate } from "../../app/admin/emails.server.ts";
import { verifyConsentToken } from "../../app/consent/consent-token.ts";
import { customerDataFor } from "../../app/admin/data-requests.server.ts";

const SHOP = "linen-emails.myshopify.com";
const LOCATION = 655441491;
const V0 = 20_000;
const V1 = 20_001;
const ORDERED = "2026-11-27T14:00:00Z";
const customer = (n: number) => ({
  id: 7_100_000 + n,
  first: ["Ada", "Grace", "Alan"][n]!,
  last: "Tester",
  email: `buyer${n}@example.com`,
});

const o1 = {
  ...orderPayload({
    id: 9001,
    name: "#1001",
    createdAt: ORDERED,
    customer: customer(0),
    lines: [
      { id: 90011, variantId: V0, productId: 10_000, quantity: 1, title: "Linen Shirt", variantTitle: "M" },
      { id: 90012, variantId: V1, productId: 10_000, quantity: 2, title: "Linen Shirt", variantTitle: "L" },
    ],
  }),
  customer_locale: "fr-CA",
};
const o2 = {
  ...orderPayload({
    id: 9002,
    name: "#1002",
    createdAt: "2026-11-27T14:05:00Z",
    customer: customer(1),
    lines: [{ id: 90021, variantId: V0, productId: 10_000, quantity: 1, title: "Linen Shirt", variantTitle: "M" }],
  }),
  customer_locale: "de",
};
const o3 = orderPayload({
  id: 9003,
  name: "#1003",
  createdAt: "2026-11-27T14:10:00Z",
  customer: customer(2),
  lines: [{ id: 90031, variantId: V1, productId: 10_000, quantity: 1, title: "Linen Shirt", variantTitle: "L" }],
});

const level = (variant: number, available: number, at: string) => ({
  topic: "inventory_levels/update",
  payload: inventoryLevelPayload(variant + 10_000, LOCATION, available, at),
});
const day = [
  {
    topic: "products/update",
    payload: productPayload({
      id: 10_000,
      title: "Linen Shirt",
      updatedAt: "2026-11-27T13:00:00Z",
      variants: [
        { id: V0, inventoryItemId: V0 + 10_000 },
        { id: V1, inventoryItemId: V1 + 10_000 },
      ],
    }),
  },
  level(V0, 0, "2026-11-27T13:00:00Z"),
  level(V1, 0, "2026-11-27T13:00:00Z"),
  { topic: "orders/create", payload: o1 },
  level(V0, -1, "2026-11-27T14:00:01Z"),
  level(V1, -2, "2026-11-27T14:00:01Z"),
  { topic: "orders/create", payload: o2 },
  level(V0, -2, "2026-11-27T14:05:01Z"),
  { topic: "orders/create", payload: o3 },
  level(V1, -3, "2026-11-27T14:10:01Z"),
];

let t: TestDatabase;
let h: Harness;
let smtp: TestSmtp;
let seen = 0;

/** Messages received since the last call. */
function fresh() {
  const out = smtp.received.slice(seen);
  seen = smtp.received.length;
  return out;
}
const to = (m: (typeof smtp.received)[number]) => m.envelopeTo.join(",");
const send = () => sendDueEmails(t.db, { now: h.clock.date });

async function syncAll() {
  await h.sync();
  await h.run();
}

async function moveRestock(variant: number, date: string) {
  await t.db.$transaction(async (tx) => {
    await tx.variantPolicy.update({
      where: { shop_variantId: { shop: SHOP, variantId: String(variant) } },
      data: { restockDate: fromCalendarDate(date) },
    });
    await enqueueTask(tx, SHOP, "variant", String(variant), h.clock.date());
  });
  await syncAll();
}

function settingsForm(port: number, extra: Record<string, string> = {}) {
  const f = new FormData();
  const fields = {
    enabled: "on",
    transport: "smtp",
    smtpHost: "127.0.0.1",
    smtpPort: String(port),
    smtpUser: "shop",
    smtpPassword: "s3cret",
    fromAddress: "orders@linen.example",
    senderName: "Linen & Co",
    changeThresholdDays: "2",
    delayLimitDays: "30",
    ...extra,
  };
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

beforeAll(async () => {
  process.env.SHOPIFY_API_KEY ??= "test-key";
  process.env.SHOPIFY_API_SECRET ??= "test-secret";
  t = await createTestDatabase("emails");
  smtp = await startSmtp({ user: "shop", password: "s3cret" });
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    shop.addProduct({
      id: 10_000,
      title: "Linen Shirt",
      updatedAt: "2026-11-27T13:00:00Z",
      variants: [
        { id: V0, inventoryItemId: V0 + 10_000, stock: { [LOCATION]: 0 } },
        { id: V1, inventoryItemId: V1 + 10_000, stock: { [LOCATION]: 0 } },
      ],
    });
  });
  for (const v of [V0, V1]) {
    await t.db.variantPolicy.create({
      data: { shop: SHOP, variantId: String(v), enabled: true, restockDate: fromCalendarDate("2026-12-14"), incomingQuantity: 100 },
    });
  }
  expect(await saveEmailSettings(t.db, SHOP, settingsForm(smtp.port))).toEqual({ ok: true });
  await h.deliver(day);
  await syncAll();
}, 120_000);

afterAll(async () => {
  await h?.close();
  await smtp?.close();
  await t?.drop();
});

describe("customer emails over SMTP", () => {
  it("stores the SMTP password sealed, never in clear", async () => {
    const s = await t.db.emailSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(s.smtpPasswordSealed).toBeTruthy();
    expect(s.smtpPasswordSealed).not.toContain("s3cret");
    expect((await loadEmailPage(t.db, SHOP)).settings).toMatchObject({ passwordSet: true, smtpUser: "shop" });
  });

  it("confirms each order's waiting lines with their dates, one email per order, in the customer's language", async () => {
    const r = await send();
    expect(r).toMatchObject({ sent: 4, failed: 0 });
    const mails = fresh();
    expect(mails.map(to).sort()).toEqual(["buyer0@example.com", "buyer1@example.com", "buyer2@example.com"]);
    const fr = mails.find((m) => to(m) === "buyer0@example.com")!.mail;
    expect(fr.subject).toBe("Votre commande #1001 : date d'expédition prévue");
    expect(fr.from?.text).toBe('"Linen & Co" <orders@linen.example>');
    expect(fr.headers.get("content-language")).toBe("fr");
    expect(fr.text).toContain("Bonjour Ada Tester,");
    expect(fr.text).toContain("1 × Linen Shirt - M — expédition prévue le 15 décembre 2026");
    expect(fr.text).toContain("2 × Linen Shirt - L — expédition prévue le 15 décembre 2026");
    expect(fr.html).toContain("<li>2 × Linen Shirt - L — expédition prévue le 15 décembre 2026</li>");
    expect(fr.text).toMatch(/Linen & Co$/);
    expect(fr.html).toContain("Linen &amp; Co");
    const de = mails.find((m) => to(m) === "buyer1@example.com")!.mail;
    expect(de.subject).toBe("Ihre Bestellung #1002: voraussichtliches Versanddatum");
    expect(de.text).toContain("Versand voraussichtlich am 15. Dezember 2026");
    // No customer_locale on the order: the shop's language (English by default).
    const en = mails.find((m) => to(m) === "buyer2@example.com")!.mail;
    expect(en.subject).toBe("Your order #1003: expected ship date");
    expect(en.text).toContain("1 × Linen Shirt - L — ships December 15, 2026");
  });

  it("sends nothing again when Shopify delivers the same webhooks again", async () => {
    await h.deliver(day);
    await syncAll();
    expect((await send()).sent).toBe(0);
    expect(fresh()).toEqual([]);
  });

  it("tells a date change of at least the threshold, at most once a day per order", async () => {
    await moveRestock(V0, "2026-12-18"); // ships Monday 12-21: 6 days later
    expect((await send()).sent).toBe(2);
    const mails = fresh();
    expect(mails.map(to).sort()).toEqual(["buyer0@example.com", "buyer1@example.com"]);
    const fr = mails.find((m) => to(m) === "buyer0@example.com")!.mail;
    expect(fr.subject).toBe("Votre commande #1001 : nouvelle date d'expédition");
    expect(fr.text).toContain("1 × Linen Shirt - M — expédition prévue le 21 décembre 2026");
    expect(fr.text).not.toContain("Linen Shirt - L");

    await moveRestock(V0, "2026-12-22"); // ships 12-23: 2 days, enough, but not the same day
    expect((await send()).sent).toBe(0);
    expect(fresh()).toEqual([]);
    h.clock.advance(24 * 3_600_000);
    expect((await send()).sent).toBe(2);
    const next = fresh().find((m) => to(m) === "buyer1@example.com")!.mail;
    expect(next.text).toContain("Versand voraussichtlich am 23. Dezember 2026");

    const before = await t.db.emailOutbox.count();
    await moveRestock(V0, "2026-12-23"); // ships 12-24: one day, under the threshold
    expect(await t.db.emailOutbox.count()).toBe(before);
  });

  it("sends a delay notice with the two consent links when the date slips past the limit", async () => {
    await moveRestock(V1, "2027-01-04"); // ships 2027-01-05: past 30 days from the order
    expect((await send()).sent).toBe(2);
    const mails = fresh();
    expect(mails.map(to).sort()).toEqual(["buyer0@example.com", "buyer2@example.com"]);
    const fr = mails.find((m) => to(m) === "buyer0@example.com")!.mail;
    expect(fr.subject).toBe("Votre commande #1001 est retardée");
    expect(fr.text).toContain("La nouvelle date d'expédition prévue est le 5 janvier 2027");
    const keep = /(https:\/\/\S+\/consent\/keep\?t=\S+)/.exec(fr.text!)![1]!;
    const cancel = /(https:\/\/\S+\/consent\/cancel\?t=\S+)/.exec(fr.text!)![1]!;
    expect(new URL(keep).host).toBe(SHOP);
    expect(new URL(keep).pathname).toBe("/apps/backorder/consent/keep");
    expect(new URL(cancel).pathname).toBe("/apps/backorder/consent/cancel");
    const claim = verifyConsentToken(new URL(keep).searchParams.get("t")!, process.env.SHOPIFY_API_SECRET!, h.clock.now() / 1000);
    expect(claim).toEqual({ ok: true, claim: expect.objectContaining({ shop: SHOP, lineItemId: "90012", promisedDate: "2027-01-05" }) });
    expect(fr.html).toContain(`href="${keep.replace(/&/g, "&amp;")}"`);
    expect(fr.html).toContain(">Je garde ma commande</a>");
    // The page behind the links answers in the notice's language; English needs no parameter.
    expect([new URL(keep).searchParams.get("lang"), new URL(cancel).searchParams.get("lang")]).toEqual(["fr", "fr"]);
    const en = mails.find((m) => to(m) === "buyer2@example.com")!.mail;
    expect(new URL(/(https:\/\/\S+\/consent\/keep\?t=\S+)/.exec(en.text!)![1]!).searchParams.has("lang")).toBe(false);
  });

  it("sends a delay notice when the promised date passes while the items still wait", async () => {
    // Christmas: the restock of the 23rd never came. The daily refresh re-dates the variant's lines.
    h.clock.t = Date.parse("2026-12-25T15:00:00Z");
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "variant", String(V0), h.clock.date()));
    await syncAll();
    expect((await send()).sent).toBe(2);
    const mails = fresh();
    expect(mails.map(to).sort()).toEqual(["buyer0@example.com", "buyer1@example.com"]);
    const de = mails.find((m) => to(m) === "buyer1@example.com")!.mail;
    expect(de.subject).toBe("Ihre Bestellung #1002 verzögert sich");
    // Unknown restock: today + the 14 days' lead time + a processing day.
    expect(de.text).toContain("Das neue voraussichtliche Versanddatum ist der 11. Januar 2027");
    expect(de.text).toMatch(/Artikel stornieren: https:\/\/linen-emails\.myshopify\.com\/apps\/backorder\/consent\/cancel\?t=/);
  });

  it("tells the customer when the items are ready to ship", async () => {
    await h.deliver([level(V0, 10, "2026-12-02T09:00:00Z")]);
    await syncAll();
    expect((await send()).sent).toBe(2);
    const mails = fresh();
    expect(mails.map(to).sort()).toEqual(["buyer0@example.com", "buyer1@example.com"]);
    expect(mails.find((m) => to(m) === "buyer1@example.com")!.mail.subject).toBe("Ihre Bestellung #1002 ist versandbereit");
  });

  it("uses the shop's own template for its language", async () => {
    expect(
      await saveEmailTemplate(t.db, SHOP, "ready", "en", {
        subject: "{{order_name}} is on its way <soon>",
        body: "Hi {{customer_name}}\n{{items}}",
      }),
    ).toEqual({ ok: true });
    expect((await saveEmailTemplate(t.db, SHOP, "delay", "en", { subject: "Late", body: "Sorry {{keep_url}}" })).ok).toBe(false);
  });

  it("retries a refusing SMTP server with backoff, then shows the emails failed, and sends them on the merchant's retry", async () => {
    smtp.refuse = true;
    await h.deliver([level(V1, 10, "2026-12-02T10:00:00Z")]);
    await syncAll();
    // Sending is on its own: the queue and the sync went on.
    expect(await t.db.backorderLine.count({ where: { shop: SHOP, state: "waiting" } })).toBe(0);
    expect(await t.db.syncTask.count({ where: { shop: SHOP, status: { notIn: ["done"] } } })).toBe(0);
    for (let attempt = 1; attempt < MAX_EMAIL_ATTEMPTS; attempt++) {
      expect(await send()).toMatchObject({ sent: 0, retrying: 2, failed: 0 });
      expect(await send()).toMatchObject({ sent: 0, retrying: 0 }); // not due yet
      h.clock.advance(emailRetryDelayMs(attempt));
    }
    expect(await send()).toMatchObject({ sent: 0, retrying: 0, failed: 2 });
    const page = await loadEmailPage(t.db, SHOP);
    expect(page.failed.map((f) => [f.kind, f.orderName, f.attempts]).sort()).toEqual([
      ["ready", "#1001", MAX_EMAIL_ATTEMPTS],
      ["ready", "#1003", MAX_EMAIL_ATTEMPTS],
    ]);
    expect(page.failed[0]!.lastError).toContain("451");
    expect(fresh()).toEqual([]);

    smtp.refuse = false;
    expect(await retryFailedEmails(t.db, SHOP, undefined, h.clock.date())).toBe(2);
    expect((await send()).sent).toBe(2);
    const mails = fresh();
    const en = mails.find((m) => to(m) === "buyer2@example.com")!.mail;
    expect(en.subject).toBe("#1003 is on its way <soon>");
    expect(en.text).toBe("Hi Alan Tester\n- 1 × Linen Shirt - L");
    expect(en.html).toContain("<p>Hi Alan Tester</p>\n<ul><li>1 × Linen Shirt - L</li></ul>");
    expect((await loadEmailPage(t.db, SHOP)).failed).toEqual([]);
  });

  it("never sends a line's email twice: one row per line, kind and date", async () => {
    await h.deliver(day.concat([level(V0, 10, "2026-12-02T09:00:00Z"), level(V1, 10, "2026-12-02T10:00:00Z")]));
    await syncAll();
    expect((await send()).sent).toBe(0);
    const rows = await t.db.emailOutbox.findMany({ where: { shop: SHOP, status: "sent" } });
    const keys = rows.map((r) => `${r.lineItemId}|${r.kind}|${r.promisedDate}`);
    expect(new Set(keys).size).toBe(keys.length);
    // 3 confirmations, 2 + 2 date changes, 2 + 2 delay notices, 2 + 2 ready to ship.
    expect(smtp.received.length).toBe(15);
  });

  it("lists the emails in a data request, and customers/redact erases them", async () => {
    await h.deliver([
      {
        topic: "customers/data_request",
        payload: {
          shop_domain: SHOP,
          customer: { id: customer(1).id, email: customer(1).email },
          orders_requested: [9002],
          data_request: { id: 77 },
        },
      },
    ]);
    const request = await t.db.complianceRequest.findFirstOrThrow({ where: { shop: SHOP, topic: "customers/data_request" } });
    const data = await customerDataFor(t.db, SHOP, request.id);
    const emails = data!.orders.flatMap((o) => o.emails);
    expect(emails.map((e) => e.kind).sort()).toEqual(["confirmation", "date_changed", "date_changed", "delay", "ready"]);
    expect(emails.every((e) => e.recipient === "buyer1@example.com" && e.language === "de" && e.body)).toBe(true);

    await h.deliver([
      {
        topic: "customers/redact",
        payload: { shop_domain: SHOP, customer: { id: customer(0).id, email: customer(0).email }, orders_to_redact: [9001] },
      },
    ]);
    const erased = await t.db.emailOutbox.findMany({ where: { shop: SHOP, orderId: "9001" } });
    expect(erased.length).toBeGreaterThan(0);
    expect(erased.every((r) => r.recipient === null && r.subject === null && r.body === null)).toBe(true);
    expect(await t.db.orderLocale.count({ where: { shop: SHOP, orderId: "9001" } })).toBe(0);
    // Another customer's emails stay.
    expect(await t.db.emailOutbox.count({ where: { shop: SHOP, orderId: "9002", recipient: "buyer1@example.com" } })).toBe(5);
  });
});

describe("emails that no longer have news", () => {
  it("are not sent when the line is cancelled before the sender gets to them", async () => {
    const o4 = orderPayload({
      id: 9004,
      name: "#1004",
      createdAt: "2026-12-25T16:00:00Z",
      customer: customer(2),
      lines: [{ id: 90041, variantId: V0, productId: 10_000, quantity: 20, title: "Linen Shirt", variantTitle: "M" }],
    });
    await h.deliver([{ topic: "orders/create", payload: o4 }, level(V0, -10, "2026-12-25T16:00:01Z")]);
    await syncAll();
    expect(await t.db.backorderLine.findUnique({ where: { shop_lineItemId: { shop: SHOP, lineItemId: "90041" } } })).toMatchObject({
      state: "waiting",
    });
    expect(await t.db.emailOutbox.findMany({ where: { shop: SHOP, orderId: "9004" }, select: { kind: true, status: true } })).toEqual([
      { kind: "confirmation", status: "pending" },
    ]);
    const cancelled = orderPayload({
      ...{ id: 9004, name: "#1004", createdAt: "2026-12-25T16:00:00Z", customer: customer(2) },
      updatedAt: "2026-12-25T17:00:00Z",
      cancelledAt: "2026-12-25T17:00:00Z",
      lines: [
        { id: 90041, variantId: V0, productId: 10_000, quantity: 20, fulfillable: 0, current: 0, title: "Linen Shirt", variantTitle: "M" },
      ],
    });
    await h.deliver([{ topic: "orders/cancelled", payload: cancelled }]);
    expect(await send()).toMatchObject({ sent: 0, skipped: 1 });
    expect(fresh()).toEqual([]);
    expect((await t.db.emailOutbox.findFirstOrThrow({ where: { shop: SHOP, orderId: "9004" } })).status).toBe("skipped");
  });
});
