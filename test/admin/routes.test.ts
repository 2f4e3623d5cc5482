// The admin routes as Remix calls them: a Request in, a Response out, through the
// dev-only demo way in (BACKORDER_DEMO_SHOP) on the test database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const SHOP = "routes.myshopify.com";
let t: TestDatabase;
type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
let routes: Record<string, { loader?: (a: Args) => Promise<Response>; action?: (a: Args) => Promise<Response> }>;

beforeAll(async () => {
  t = await createTestDatabase("admin_routes");
  await seedAdminShop(t.db, { shop: SHOP, lines: 150 });
  await seedAdminShop(t.db, { shop: "other.myshopify.com", lines: 40 });
  // The routes use the process-wide client and Shopify app; point them at the test database.
  globalThis.__backorderDb = t.db;
  process.env.SHOPIFY_API_KEY ??= "test-key";
  process.env.SHOPIFY_API_SECRET ??= "test-secret";
  process.env.BACKORDER_DEMO_SHOP = SHOP;
  routes = {
    layout: await import("../../app/routes/app.tsx"),
    dashboard: await import("../../app/routes/app._index.tsx"),
    queue: await import("../../app/routes/app.queue.tsx"),
    exportCsv: await import("../../app/routes/app.queue.export.tsx"),
    variants: await import("../../app/routes/app.variants.tsx"),
    settings: await import("../../app/routes/app.settings.tsx"),
  } as unknown as typeof routes;
});
afterAll(async () => {
  delete process.env.BACKORDER_DEMO_SHOP;
  await t?.drop();
});

const get = (route: string, path: string) =>
  routes[route]!.loader!({ request: new Request(`http://localhost${path}`), params: {}, context: {} });
const post = (route: string, path: string, form: Record<string, string | string[]>) => {
  const body = new FormData();
  for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
  return routes[route]!.action!({ request: new Request(`http://localhost${path}`, { method: "POST", body }), params: {}, context: {} });
};

describe("admin routes (demo shop)", () => {
  it("the layout names the demo shop and renders without App Bridge", async () => {
    expect(await (await get("layout", "/app")).json()).toMatchObject({ shop: SHOP, embedded: false });
  });

  it("dashboard, queue, variants and settings load this shop's data only", async () => {
    const dash = await (await get("dashboard", "/app?by=day")).json();
    expect(dash.metrics.openLines).toBe(await t.db.backorderLine.count({ where: { shop: SHOP, state: "waiting" } }));
    expect(dash.metrics.revenueWon.granularity).toBe("day");

    const queue = await (await get("queue", "/app/queue?state=all")).json();
    expect(queue.page.total).toBe(150);
    expect(queue.shopHasLines).toBe(true);
    const mine = new Set((await t.db.backorderLine.findMany({ where: { shop: SHOP } })).map((l) => l.lineItemId));
    expect(queue.page.rows.every((r: { lineItemId: string }) => mine.has(r.lineItemId))).toBe(true);

    const variants = await (await get("variants", "/app/variants?filter=enabled")).json();
    expect(variants.rows.length).toBeGreaterThan(0);
    const settings = await (await get("settings", "/app/settings")).json();
    expect(settings.problems.taskCount).toBe(2);
  });

  it("the export answers a CSV attachment", async () => {
    const res = await get("exportCsv", "/app/queue/export?state=waiting");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="backorder-queue-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines.length - 1).toBe(await t.db.backorderLine.count({ where: { shop: SHOP, state: "waiting" } }));
  });

  it("actions validate and save", async () => {
    const bad = await post("settings", "/app/settings", {
      intent: "save",
      messageTemplate: "no placeholder",
      defaultLeadTimeDays: "7",
      processingDays: "1",
      orderTag: "backorder",
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.messageTemplate).toMatch(/\{date\}/);
    const ok = await post("settings", "/app/settings", {
      intent: "save",
      messageTemplate: "Ships ~{date}",
      defaultLeadTimeDays: "7",
      processingDays: "1",
      orderTag: "backorder",
      holdMode: "lines",
    });
    expect(ok.status).toBe(200);
    expect((await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).messageTemplate).toBe("Ships ~{date}");

    const line = await t.db.backorderLine.findFirstOrThrow({ where: { shop: SHOP, state: "waiting", notifiedAt: null } });
    const notified = await post("queue", "/app/queue", { intent: "notified", lineItemId: [line.lineItemId] });
    expect(await notified.json()).toMatchObject({ ok: true, count: 1 });

    const variant = await t.db.variant.findFirstOrThrow({ where: { shop: SHOP } });
    const invalid = await post("variants", "/app/variants", { variantId: [variant.variantId], leadTimeDays: "-2" });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).errors).toEqual({ leadTimeDays: "Lead time cannot be negative." });
  });

  it("the queue acts on every line matching the page's filter; settings retry this shop's failed sync tasks", async () => {
    const queue = await (await get("queue", "/app/queue?state=all&age=7")).json();
    expect(queue.filters).toBe("state=all&age=7");
    expect(queue.page.total).toBeGreaterThan(queue.page.rows.length); // more than a page: Polaris offers "select all"
    await t.db.backorderLine.updateMany({ data: { notifiedAt: null } });
    const res = await post("queue", "/app/queue", { intent: "notified", scope: "filter", filters: queue.filters });
    expect(await res.json()).toMatchObject({ ok: true, count: queue.page.total });
    expect(await t.db.backorderLine.count({ where: { shop: SHOP, notifiedAt: { not: null } } })).toBe(queue.page.total);
    expect(await t.db.backorderLine.count({ where: { shop: { not: SHOP }, notifiedAt: { not: null } } })).toBe(0);

    const otherFailed = await t.db.syncTask.count({ where: { shop: { not: SHOP }, status: "failed" } });
    const mineFailed = await t.db.syncTask.count({ where: { shop: SHOP, status: "failed" } });
    expect(mineFailed).toBeGreaterThan(0);
    const retry = await post("settings", "/app/settings", { intent: "retry-tasks" });
    expect(await retry.json()).toEqual({ intent: "retry", ok: true, retried: mineFailed });
    expect(await t.db.syncTask.count({ where: { shop: SHOP, status: "failed" } })).toBe(0);
    expect(await t.db.syncTask.count({ where: { shop: { not: SHOP }, status: "failed" } })).toBe(otherFailed);
  });

  it("without BACKORDER_DEMO_SHOP the pages need a Shopify session", async () => {
    delete process.env.BACKORDER_DEMO_SHOP;
    try {
      const outcome = await get("queue", "/app/queue").then(
        (r) => ({ returned: r.status }),
        (e: unknown) => ({ thrown: e instanceof Response ? e.status : String(e) }),
      );
      // authenticate.admin answers with a redirect to login (or 401), never with data.
      expect(outcome).toHaveProperty("thrown");
      expect([302, 401, 410]).toContain((outcome as { thrown: number }).thrown);
    } finally {
      process.env.BACKORDER_DEMO_SHOP = SHOP;
    }
  });
});
