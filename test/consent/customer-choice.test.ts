// The customer's choice, end to end over real HTTP: the delay notice's link opened on the
// shop's domain (the App Proxy stand-in signs and forwards it as Shopify does, and renders the
// Liquid answer in a theme), the app's real route behind Remix's Express adapter, the refund
// in the Admin API stand-in (checked against Shopify's schema and scopes), the refunds/create
// webhook Shopify then sends, and the queue after; every refusal changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProxy } from "../../dev/admin-standin/app-proxy.ts";
import { refundWebhookPayload } from "../../dev/admin-standin/refunds.ts";
import { loadQueuePage } from "../../app/admin/queue.server.ts";
import { parseQueueQuery } from "../../app/admin/queue-query.ts";
import { queueCsvStream } from "../../app/admin/queue-export.server.ts";
import { loadLineHistory } from "../../app/admin/line-history.server.ts";
import { customerDataFor } from "../../app/admin/data-requests.server.ts";
import { CUSTOMER, DATE, ITEM, L, LOCATION, O, SHOP, startConsentShop, type ConsentShop } from "./consent-shop.ts";

const OTHER_SHOP = "other-consent.myshopify.com";
let s: ConsentShop;
const line = (id: number) => s.t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop: SHOP, lineItemId: String(id) } } });
const refundCalls = () => s.h.standin.calls.filter((c) => c.operationName === "RefundLine").length;
const counts = async () => ({
  consents: await s.t.db.consentRecord.count(),
  refunds: refundCalls(),
  adjustments: await s.t.db.orderAdjustment.count({ where: { shop: SHOP } }),
});
const link = (...args: Parameters<ConsentShop["link"]>) => s.link(...args);

async function open(url: string) {
  const res = await fetch(url);
  return {
    status: res.status,
    outcome: res.headers.get("x-backorder-consent"),
    type: res.headers.get("content-type"),
    html: await res.text(),
  };
}

/** The confirm page's button: a POST to the form's action, on the shop's domain. */
async function press(url: string) {
  const page = await open(url);
  const action = /<form method="post" action="([^"]+)">/.exec(page.html)?.[1];
  expect(action, page.html).toBeDefined();
  const res = await fetch(`${s.proxy.origin}${action!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))}`, {
    method: "POST",
  });
  return { status: res.status, outcome: res.headers.get("x-backorder-consent"), html: await res.text() };
}

beforeAll(async () => {
  s = await startConsentShop("consent");
});
afterAll(() => s?.close());

describe("the confirm page (GET)", () => {
  it("shows the line and a POST button in the shop's theme, and changes nothing", async () => {
    const before = await counts();
    for (const kind of ["keep", "cancel"] as const) {
      const page = await open(link(kind, L.a));
      expect(page).toMatchObject({ status: 200, outcome: "ask", type: "text/html; charset=utf-8" });
      expect(page.html).toContain("<title>Consent Knits</title>"); // the theme's layout around the app's Liquid
      expect(page.html).toContain("Fisherman Sweater");
      expect(page.html).toContain("December 24, 2026");
      expect(page.html).toMatch(new RegExp(`<form method="post" action="/apps/backorder/consent/${kind}\\?t=`));
      // Opened twice (a mail scanner, then the customer): still nothing recorded.
      expect((await open(link(kind, L.a))).outcome).toBe("ask");
    }
    expect(await counts()).toEqual(before);
    expect((await line(L.a)).state).toBe("waiting");
  });

  it("speaks the delay notice's language, and its button keeps it", async () => {
    const page = await open(link("cancel", L.a, { language: "de" }));
    expect(page.outcome).toBe("ask");
    expect(page.html).toContain('lang="de"');
    expect(page.html).toContain("<h1>Diesen Artikel stornieren?</h1>");
    expect(page.html).toContain("24. Dezember 2026");
    expect(page.html).toMatch(/<form method="post" action="\/apps\/backorder\/consent\/cancel\?t=[^"]+&#38;lang=de">/);
    expect(page.html).toMatch(/<form method="post" action="\/apps\/backorder\/consent\/keep\?t=[^"]+&#38;lang=de"/);
    // A language the shop does not write in: English, not an error.
    const other = await open(`${link("cancel", L.a)}&lang=xx`);
    expect(other.outcome).toBe("ask");
    expect(other.html).toContain("<h1>Cancel this item?</h1>");
  });
});

describe("keep", () => {
  it("records consent for the promised date; the link is spent for both answers", async () => {
    s.loggedIn = String(CUSTOMER);
    const answered = await press(link("keep", L.a));
    s.loggedIn = undefined;
    expect(answered.outcome).toBe("kept");
    expect(answered.html).toContain("your order stays");
    expect(
      await s.t.db.consentRecord.findMany({
        select: { lineItemId: true, choice: true, promisedDate: true, refundId: true, customerId: true },
      }),
    ).toEqual([{ lineItemId: String(L.a), choice: "keep", promisedDate: DATE, refundId: null, customerId: String(CUSTOMER) }]);
    const before = await counts();
    expect((await open(link("cancel", L.a))).outcome).toBe("refused:answered");
    const again = await fetch(`${s.proxy.origin}/apps/backorder/consent/cancel${new URL(link("cancel", L.a)).search}`, { method: "POST" });
    expect(again.headers.get("x-backorder-consent")).toBe("refused:answered");
    expect(await again.text()).toContain("You chose to keep the item.");
    expect(await counts()).toEqual(before);
    expect((await line(L.a)).state).toBe("waiting");
  });
});

describe("cancel", () => {
  it("refunds and restocks the line in Shopify, moves the queue, and counts Shopify's refunds/create once", async () => {
    const levelBefore = s.h.shop.levels.get(`gid://shopify/InventoryItem/${ITEM}|gid://shopify/Location/${LOCATION}`)!.available;
    const answered = await press(link("cancel", L.b));
    expect(answered.outcome).toBe("cancelled");

    // Shopify: one refund of the line's unit, restocked (CANCEL) at its location, paid back against the sale.
    const order = s.h.shop.orders.get(`gid://shopify/Order/${O.b}`)!;
    expect(order.refunds).toHaveLength(1);
    const refund = order.refunds[0]!;
    expect(refund.lineItems).toEqual([
      {
        lineItemId: `gid://shopify/LineItem/${L.b}`,
        quantity: 1,
        restockType: "CANCEL",
        locationId: `gid://shopify/Location/${LOCATION}`,
        subtotal: "40.00",
      },
    ]);
    expect(refund.transactions).toEqual([{ parentId: order.saleTransactionId, gateway: "bogus", amount: "40.00" }]);
    expect(s.h.shop.levels.get(`gid://shopify/InventoryItem/${ITEM}|gid://shopify/Location/${LOCATION}`)!.available).toBe(levelBefore + 1);
    const call = s.h.standin.calls.find((c) => c.operationName === "RefundLine")!;
    expect(call).toMatchObject({ status: 200, errors: [] });
    expect(call.variables).toMatchObject({ idempotencyKey: `backorder-consent:${SHOP}:${L.b}:${DATE}` });

    // The queue moved at once: B is cancelled, C and D each moved up one place.
    const refundId = refund.id.split("/").pop()!;
    expect(await line(L.b)).toMatchObject({ state: "cancelled", openQuantity: 0, waitingQuantity: 0 });
    expect(
      await s.t.db.consentRecord.findUniqueOrThrow({
        where: { shop_lineItemId_promisedDate: { shop: SHOP, lineItemId: String(L.b), promisedDate: DATE } },
      }),
    ).toMatchObject({
      choice: "cancel",
      quantity: 1,
      refundId,
    });
    const page = await loadQueuePage(s.t.db, SHOP, parseQueueQuery(new URLSearchParams("state=waiting")), new Date());
    expect(page.rows.map((r) => [r.orderName, r.position, r.consent?.choice ?? null])).toEqual([
      [`#${1000 + O.a}`, 1, "keep"],
      [`#${1000 + O.c}`, 2, null],
      [`#${1000 + O.d}`, 3, null],
      [`#${1000 + O.e}`, 4, null],
    ]);

    // The CSV export carries the answers too.
    const csv = await new Response(queueCsvStream(s.t.db, SHOP, parseQueueQuery(new URLSearchParams("state=all")), new Date())).text();
    expect(csv).toContain(`keep (${DATE})`);
    expect(csv).toContain(`cancel (${DATE})`);

    // Shopify's refunds/create for that refund follows: the same refund, not a second one.
    const snapshot = await line(L.b);
    const events = await s.t.db.lineEvent.count({ where: { shop: SHOP } });
    await s.h.deliver([{ topic: "refunds/create", payload: refundWebhookPayload(order, refund) }]);
    expect(await line(L.b)).toMatchObject({ state: snapshot.state, openQuantity: snapshot.openQuantity, quantity: snapshot.quantity });
    expect(await s.t.db.orderAdjustment.count({ where: { shop: SHOP, orderId: String(O.b) } })).toBe(1);
    expect(await s.t.db.lineEvent.count({ where: { shop: SHOP } })).toBe(events);

    // The line's history shows the customer's answer and the state change it caused.
    const history = await loadLineHistory(s.t.db, SHOP, String(L.b));
    expect(history!.entries.map((e) => [e.kind, e.reason])).toContainEqual(["state", "customer cancelled from a delay notice"]);
    expect(history!.entries.find((e) => e.kind === "consent")!.text).toContain(`Shopify refund ${refundId}`);
    expect(await loadLineHistory(s.t.db, OTHER_SHOP, String(L.b))).toBeNull();
  });

  it("counts the refund once when Shopify's refunds/create arrives before the app applies its own answer", async () => {
    s.afterRefund = async () => {
      const order = s.h.shop.orders.get(`gid://shopify/Order/${O.c}`)!;
      await s.h.deliver([{ topic: "refunds/create", payload: refundWebhookPayload(order, order.refunds[0]!) }]);
      expect((await line(L.c)).state).toBe("cancelled"); // the webhook alone already moved the queue
    };
    try {
      expect((await press(link("cancel", L.c))).outcome).toBe("cancelled");
    } finally {
      s.afterRefund = null;
    }
    expect(await line(L.c)).toMatchObject({ state: "cancelled", openQuantity: 0, quantity: 0 });
    expect(await s.t.db.orderAdjustment.count({ where: { shop: SHOP, orderId: String(O.c) } })).toBe(1);
    const d = await line(L.d);
    expect(d.state).toBe("waiting");
  });

  it("a second press, another tab or the keep link after a cancel refunds nothing again", async () => {
    const before = await counts();
    for (const kind of ["cancel", "keep"] as const) {
      const res = await fetch(`${s.proxy.origin}/apps/backorder/consent/${kind}${new URL(link(kind, L.b)).search}`, { method: "POST" });
      expect(res.headers.get("x-backorder-consent")).toBe("refused:answered");
    }
    expect(await counts()).toEqual(before);
  });

  it("Shopify refusing the refund changes nothing and leaves the answer open", async () => {
    const before = await counts();
    s.h.standin.failNext(
      1,
      { kind: "userErrors", userErrors: [{ field: ["refundLineItems"], message: "Refund is not allowed" }] },
      (c) => c.operationName === "RefundLine",
    );
    const failed = await press(link("cancel", L.d));
    expect(failed.outcome).toBe("failed:refused");
    expect(failed.html).toContain("nothing was changed");
    expect({ ...(await counts()), refunds: before.refunds }).toEqual(before);
    expect((await line(L.d)).state).toBe("waiting");
    expect(s.h.shop.orders.get(`gid://shopify/Order/${O.d}`)!.refunds).toEqual([]);
    expect((await open(link("keep", L.d))).outcome).toBe("ask");
  });
});

describe("Shopify out of reach", () => {
  it("keeps the answer open without a refund; pressing again resumes with the same idempotency key and refunds once", async () => {
    s.h.standin.failNext(5, { kind: "http", status: 503 }, (c) => c.operationName === "RefundLine");
    const first = await press(link("cancel", L.e));
    expect(first.outcome).toBe("failed:retry");
    expect(first.html).toContain("press the button again");
    expect(s.h.shop.orders.get(`gid://shopify/Order/${O.e}`)!.refunds).toEqual([]);
    expect((await line(L.e)).state).toBe("waiting");
    const pending = { shop_lineItemId_promisedDate: { shop: SHOP, lineItemId: String(L.e), promisedDate: DATE } };
    expect(await s.t.db.consentRecord.findUniqueOrThrow({ where: pending })).toMatchObject({ choice: "cancel", refundId: null });
    // The keep link is answered (the cancel is under way); the cancel link resumes.
    expect((await open(link("keep", L.e))).outcome).toBe("refused:answered");
    const again = await press(link("cancel", L.e));
    expect(again.outcome).toBe("cancelled");
    expect(s.h.shop.orders.get(`gid://shopify/Order/${O.e}`)!.refunds).toHaveLength(1);
    expect((await line(L.e)).state).toBe("cancelled");
    const keys = s.h.standin.calls
      .filter(
        (c) =>
          c.operationName === "RefundLine" && c.variables.input && (c.variables.input as { orderId: string }).orderId.endsWith(`/${O.e}`),
      )
      .map((c) => c.variables.idempotencyKey);
    expect(new Set(keys)).toEqual(new Set([`backorder-consent:${SHOP}:${L.e}:${DATE}`]));
  });
});

describe("two answers at once", () => {
  it("keep and cancel pressed together: one wins, the other is told it was answered", async () => {
    const post = async (kind: "keep" | "cancel") => {
      const r = await fetch(`${s.proxy.origin}/apps/backorder/consent/${kind}${new URL(link(kind, L.d)).search}`, { method: "POST" });
      return r.headers.get("x-backorder-consent");
    };
    const outcomes = (await Promise.all([post("keep"), post("cancel"), post("cancel")])).sort();
    const records = await s.t.db.consentRecord.findMany({ where: { shop: SHOP, lineItemId: String(L.d) } });
    expect(records).toHaveLength(1);
    const winner = records[0]!.choice === "keep" ? "kept" : "cancelled";
    expect(outcomes).toEqual([winner, "refused:answered", "refused:answered"].sort());
    expect(s.h.shop.orders.get(`gid://shopify/Order/${O.d}`)!.refunds).toHaveLength(records[0]!.choice === "cancel" ? 1 : 0);
  });
});

describe("refusals change nothing", () => {
  const expectNothing = async (run: () => Promise<unknown>) => {
    const before = await counts();
    const states = await s.t.db.backorderLine.findMany({
      where: { shop: SHOP },
      select: { lineItemId: true, state: true },
      orderBy: { lineItemId: "asc" },
    });
    await run();
    expect(await counts()).toEqual(before);
    expect(
      await s.t.db.backorderLine.findMany({
        where: { shop: SHOP },
        select: { lineItemId: true, state: true },
        orderBy: { lineItemId: "asc" },
      }),
    ).toEqual(states);
  };
  const post = (url: string) =>
    fetch(url, { method: "POST" }).then(async (r) => ({ outcome: r.headers.get("x-backorder-consent"), html: await r.text() }));

  it("an expired link", async () => {
    await expectNothing(async () => {
      const url = link("cancel", L.d, { now: new Date(Date.now() - 31 * 86_400_000) });
      expect((await open(url)).outcome).toBe("refused:expired");
      const r = await post(url);
      expect(r.outcome).toBe("refused:expired");
      expect(r.html).toContain("This link has expired");
    });
  });

  it("a tampered link: another line's id under the same signature", async () => {
    await expectNothing(async () => {
      const real = new URL(link("cancel", L.d));
      const [, mac] = real.searchParams.get("t")!.split(".");
      const [body] = new URL(link("cancel", L.a)).searchParams.get("t")!.split(".");
      real.searchParams.set("t", `${body}.${mac}`);
      expect((await post(real.toString())).outcome).toBe("refused:tampered");
    });
  });

  it("a link of another shop, opened through this shop's proxy", async () => {
    await expectNothing(async () => {
      expect((await post(link("cancel", L.d, { shop: OTHER_SHOP }).replace(OTHER_SHOP, SHOP))).outcome).toBe("refused:other-shop");
    });
  });

  it("a line no longer waiting (already cancelled), asked about another date", async () => {
    await expectNothing(async () => {
      const r = await post(link("cancel", L.b, { date: "2027-01-15" }));
      expect(r.outcome).toBe("refused:not-waiting");
      expect(r.html).toContain("no longer waiting");
    });
  });

  it("an unknown line", async () => {
    await expectNothing(async () => {
      expect((await post(link("cancel", 123456789))).outcome).toBe("refused:unknown-line");
    });
  });

  it("requests that did not come through Shopify's proxy: unsigned, forged, or signed with another secret", async () => {
    await expectNothing(async () => {
      const search = new URL(link("cancel", L.d)).search;
      const direct = await fetch(`${s.appOrigin}/proxy/consent/cancel${search}&shop=${SHOP}`, { method: "POST" });
      expect(direct.status).toBe(401);
      expect(direct.headers.get("content-type")).toContain("text/html");
      expect(await direct.text()).toContain("This page only opens from the shop");
      const forger = await startAppProxy({ appOrigin: s.appOrigin, shop: SHOP, secret: "not-the-app-secret" });
      try {
        const r = await fetch(`${forger.origin}/apps/backorder/consent/cancel${search}`, { method: "POST" });
        expect(r.status).toBe(401);
      } finally {
        await forger.close();
      }
    });
  });
});

describe("privacy", () => {
  it("customers/redact erases who answered; data requests include the answers", async () => {
    await s.h.deliver([
      {
        topic: "customers/data_request",
        payload: {
          shop_id: 1,
          shop_domain: SHOP,
          customer: { id: CUSTOMER, email: "grace@example.com", phone: null },
          orders_requested: [O.a],
          data_request: { id: 77 },
        },
      },
    ]);
    const request = await s.t.db.complianceRequest.findFirstOrThrow({ where: { shop: SHOP, topic: "customers/data_request" } });
    const data = await customerDataFor(s.t.db, SHOP, request.id);
    expect(data!.orders.flatMap((o) => o.lines.flatMap((l) => l.consents.map((c) => [l.lineItemId, c.choice, c.promisedDate])))).toEqual([
      [String(L.a), "keep", DATE],
    ]);
    await s.h.deliver([
      {
        topic: "customers/redact",
        payload: {
          shop_id: 1,
          shop_domain: SHOP,
          customer: { id: CUSTOMER, email: "grace@example.com", phone: null },
          orders_to_redact: [O.a],
        },
      },
    ]);
    expect(
      await s.t.db.consentRecord.findMany({ where: { shop: SHOP, lineItemId: String(L.a) }, select: { choice: true, customerId: true } }),
    ).toEqual([{ choice: "keep", customerId: null }]);
  });
});
