// Data requests are shown to the merchant, who must answer them, with the
// data to send; one shop never sees another's; after customers/redact nothing personal is
// left to show. Webhooks through the real door and worker, the admin routes as Remix calls them.
import { createElement as h, type ComponentType } from "react";
import { renderToString } from "react-dom/server";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { IDS, sellOutDay } from "../../dev/fixtures/sell-out-day.ts";
import { orderPayload } from "../../dev/fixtures/shopify-payloads.ts";

const A = "requests-a.myshopify.com";
const B = "requests-b.myshopify.com";
const GRACE = { id: 880_000_000_000_777, first: "Grace", last: "Hopper", email: "grace.requests@example.org" };
const ORDERS = { first: 6_400_000_001, second: 6_400_000_002 };

let t: TestDatabase;
type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type Route = { loader?: (a: Args) => Promise<Response>; action?: (a: Args) => Promise<Response>; default?: ComponentType };
let page: Route;
let download: Route;

async function send(shop: string, topic: string, payload: unknown) {
  const door = webhookDoor(t.db);
  expect((await door(signedWebhookRequest({ shop, topic, payload }))).status).toBe(200);
}

const dataRequest = (shop: string, requestId: number) => ({
  shop_domain: shop,
  customer: { id: GRACE.id, email: GRACE.email, phone: null },
  orders_requested: [ORDERS.first],
  data_request: { id: requestId },
});

/** Runs a route as `shop` (the dev-only demo way in names the shop). */
async function as<T>(shop: string, run: () => Promise<T>): Promise<T> {
  process.env.BACKORDER_DEMO_SHOP = shop;
  return run();
}
const get = (route: Route, path: string) => route.loader!({ request: new Request(`http://localhost${path}`), params: {}, context: {} });
const post = (route: Route, path: string, form: Record<string, string>) => {
  const body = new FormData();
  for (const [k, v] of Object.entries(form)) body.append(k, v);
  return route.action!({ request: new Request(`http://localhost${path}`, { method: "POST", body }), params: {}, context: {} });
};
const status = async (p: Promise<Response>) => {
  try {
    return (await p).status;
  } catch (e) {
    if (e instanceof Response) return e.status;
    throw e;
  }
};

/** The page as the merchant sees it (server-rendered), with its real loader. */
async function render(shop: string, path: string): Promise<string> {
  const router = createMemoryRouter(
    [
      {
        path: "/app/privacy",
        loader: ({ request }) => as(shop, () => page.loader!({ request, params: {}, context: {} })),
        Component: page.default!,
      },
    ],
    { initialEntries: [path] },
  );
  await new Promise<void>((resolve) => {
    if (router.state.initialized) return resolve();
    const stop = router.subscribe((s) => s.initialized && (stop(), resolve()));
  });
  // React marks the joins of adjacent text with empty comments; the merchant sees one text.
  return renderToString(h(AppProvider, { i18n: en }, h(RouterProvider, { router }))).replaceAll("<!-- -->", "");
}

type Listed = { id: number; status: string; email: string | null; customerId: string | null; orderIds: string[]; requestId: string | null };
const listed = async (shop: string): Promise<Listed[]> => (await (await as(shop, () => get(page, "/app/privacy"))).json()).requests;

beforeAll(async () => {
  t = await createTestDatabase("data_requests");
  globalThis.__backorderDb = t.db;
  process.env.SHOPIFY_API_KEY ??= "test-key";
  process.env.SHOPIFY_API_SECRET ??= "test-secret";
  page = (await import("../../app/routes/app.privacy.tsx")) as unknown as Route;
  download = (await import("../../app/routes/app.privacy.download.tsx")) as unknown as Route;
  for (const shop of [A, B]) {
    for (const d of sellOutDay()) await send(shop, d.topic, d.payload);
    const line = (id: number, quantity: number) => ({
      id,
      variantId: IDS.variant,
      quantity,
      title: "Linen Shirt",
      variantTitle: "M / Sand",
      sku: "LIN-M",
    });
    await send(
      shop,
      "orders/create",
      orderPayload({
        id: ORDERS.first,
        createdAt: "2026-11-21T09:00:00Z",
        customer: GRACE,
        lines: [line(6_500_000_001, 2), line(6_500_000_002, 1)],
      }),
    );
    // Not named in the request, found by the customer's id.
    await send(
      shop,
      "orders/create",
      orderPayload({ id: ORDERS.second, createdAt: "2026-11-21T10:00:00Z", customer: GRACE, lines: [line(6_500_000_003, 4)] }),
    );
    await send(shop, "customers/data_request", dataRequest(shop, shop === A ? 101 : 202));
  }
  await drainInbox(t.db);
});
afterAll(async () => {
  delete process.env.BACKORDER_DEMO_SHOP;
  await t?.drop();
});

describe("data requests in the admin", () => {
  it("lists the shop's own requests only, with the customer and the orders requested", async () => {
    const mine = await listed(A);
    expect(mine).toEqual([
      expect.objectContaining({
        status: "to send",
        email: GRACE.email,
        customerId: String(GRACE.id),
        orderIds: [String(ORDERS.first)],
        requestId: "101",
      }),
    ]);
    const theirs = (await listed(B))[0]!;
    expect(theirs.requestId).toBe("202");
    // Shop A cannot open, download or mark shop B's request.
    expect(await status(as(A, () => get(page, `/app/privacy?request=${theirs.id}`)))).toBe(404);
    expect(await status(as(A, () => get(download, `/app/privacy/download?request=${theirs.id}&format=json`)))).toBe(404);
    expect(await status(as(A, () => post(page, "/app/privacy", { intent: "mark-sent", id: String(theirs.id) })))).toBe(404);
    expect((await listed(B))[0]!.status).toBe("to send");
    expect(await status(as(A, () => get(page, "/app/privacy?request=not-a-number")))).toBe(200);
  });

  it("shows and downloads the data to send: orders, items, quantities, dates, states, name and email", async () => {
    const id = (await listed(A))[0]!.id;
    const shown = await (await as(A, () => get(page, `/app/privacy?request=${id}`))).json();
    expect(shown.data.orders.map((o: { orderId: string }) => o.orderId)).toEqual([String(ORDERS.first), String(ORDERS.second)]);
    expect(shown.data.orders[0]).toMatchObject({
      name: `#${1000 + (ORDERS.first % 100000)}`,
      createdAt: "2026-11-21T09:00:00.000Z",
      customerNames: ["Grace Hopper"],
      customerEmails: [GRACE.email],
      customerIds: [String(GRACE.id)],
    });
    expect(shown.data.orders[0].lines).toEqual([
      expect.objectContaining({
        item: "Linen Shirt - M / Sand",
        sku: "LIN-M",
        quantity: 2,
        state: expect.any(String),
        orderedAt: "2026-11-21T09:00:00.000Z",
      }),
      expect.objectContaining({ quantity: 1 }),
    ]);

    const json = await as(A, () => get(download, `/app/privacy/download?request=${id}&format=json`));
    expect(json.headers.get("content-disposition")).toBe(`attachment; filename="customer-data-request-${id}.json"`);
    const file = await json.json();
    expect(file.request).toMatchObject({ email: GRACE.email, shopifyRequestId: "101" });
    expect(file.orders.flatMap((o: { lines: unknown[] }) => o.lines)).toHaveLength(3);

    const html = await render(A, `/app/privacy?request=${id}`);
    for (const text of ["Data to send", GRACE.email, "Grace Hopper", "2 × Linen Shirt - M / Sand (LIN-M)", "Download CSV", "Mark as sent"])
      expect(html).toContain(text);

    const csv = await as(A, () => get(download, `/app/privacy/download?request=${id}&format=csv`));
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const rows = (await csv.text()).trimEnd().split("\r\n");
    expect(rows).toHaveLength(1 + 3);
    expect(rows[1]).toContain(GRACE.email);
    expect(rows[1]).toContain("Grace Hopper");
  });

  it("marks a request as sent, once", async () => {
    const id = (await listed(A))[0]!.id;
    expect(await status(as(A, () => post(page, "/app/privacy", { intent: "mark-sent", id: String(id) })))).toBe(200);
    const sentAt = (await t.db.complianceRequest.findUniqueOrThrow({ where: { id } })).sentAt;
    expect(sentAt).not.toBeNull();
    expect(await status(as(A, () => post(page, "/app/privacy", { intent: "mark-sent", id: String(id) })))).toBe(200);
    expect((await t.db.complianceRequest.findUniqueOrThrow({ where: { id } })).sentAt).toEqual(sentAt);
    expect((await listed(A))[0]!.status).toBe("sent");
  });

  it("after customers/redact the request keeps its date and shows that the data was erased, with nothing to send", async () => {
    await send(A, "customers/data_request", dataRequest(A, 103));
    await send(A, "customers/redact", {
      shop_domain: A,
      customer: { id: GRACE.id, email: GRACE.email, phone: null },
      orders_to_redact: [ORDERS.first],
    });
    await drainInbox(t.db);
    const requests = await listed(A);
    expect(requests.map((r) => [r.status, r.email, r.customerId, r.orderIds])).toEqual([
      ["erased", null, null, []],
      ["erased", null, null, []],
    ]);
    const shown = await (await as(A, () => get(page, `/app/privacy?request=${requests[0]!.id}`))).json();
    expect(shown.data).toMatchObject({ request: { status: "erased" }, orders: [] });
    expect(shown.data.request.redactedAt).not.toBeNull();
    const file = await (await as(A, () => get(download, `/app/privacy/download?request=${requests[1]!.id}&format=json`))).text();
    expect(file).not.toMatch(/grace|hopper|880000000000777/i);
    expect(shown.erasures.count).toBe(1);
    const html = await render(A, `/app/privacy?request=${requests[0]!.id}`);
    expect(html).toContain("This customer&#x27;s data was erased on");
    expect(html).not.toMatch(/grace|hopper/i);
    // Shop B's customer of the same name is not theirs to erase.
    expect((await listed(B))[0]).toMatchObject({ status: "to send", email: GRACE.email });
  });
});
