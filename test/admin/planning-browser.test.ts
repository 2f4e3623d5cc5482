// The planning pages in headless Chromium, served as the offline demo serves them: the
// overview and its filters, one variant's chart, batches saved in bulk (and refused with
// the row's message), a CSV import all or nothing, the supplier export over real HTTP, and
// promise accuracy on the dashboard. No page error on the way (hydration included).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";
import { fromCalendarDate } from "../../app/backorder/eta.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";
import { launchChromium, startDevServer, type DevServer, openAdminPage } from "./dev-server.ts";
import { screenshotPath } from "../storefront/browser.ts";

const SHOP = "demo-shop.myshopify.com";
let t: TestDatabase;
let server: DevServer;
let browser: Browser;
let page: Page;
let variantId: string;
const pageErrors: string[] = [];
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await createTestDatabase("admin_planning");
  const seeded = await seedAdminShop(t.db, { shop: SHOP, lines: 300 });
  await seedAdminShop(t.db, { shop: "neighbour.myshopify.com", lines: 50, seed: 99 });
  // The busiest variant gets a first promise on two shipped lines: one kept, one a day late.
  const busiest = await t.db.backorderLine.groupBy({
    by: ["variantId"],
    where: { shop: SHOP, state: "waiting" },
    _sum: { waitingQuantity: true },
    orderBy: { _sum: { waitingQuantity: "desc" } },
    take: 1,
  });
  variantId = busiest[0]?.variantId ?? seeded.variantIds[0]!;
  const shipped = await t.db.backorderLine.findMany({ where: { shop: SHOP, fulfilledAt: { not: null } }, take: 2 });
  await t.db.linePromise.createMany({
    data: shipped.map((l, i) => {
      const day = new Date(l.fulfilledAt!.getTime() - (i === 0 ? 0 : 1) * 86_400_000).toISOString().slice(0, 10);
      return {
        shop: SHOP,
        lineItemId: l.lineItemId,
        variantId: l.variantId,
        firstPromised: day,
        firstPromisedAt: fromCalendarDate(day),
        promisedAt: l.backorderedAt ?? l.orderedAt,
      };
    }),
  });
  [server, browser] = await Promise.all([startDevServer({ databaseUrl: t.url, shop: SHOP }), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.drop();
});

async function open(p: string) {
  await openAdminPage(page, `${server.url}${p}`);
}

describe("planning in Chromium", () => {
  it("lists the variants to plan, at risk first, with a nav link and filters", async () => {
    await open("/app/planning");
    await expect(page.locator('nav a[href="/app/planning"]', { hasText: "Planning" }).count()).resolves.toBe(1);
    await page.getByRole("heading", { name: "Planning" }).waitFor();
    await expect(page.locator("h3", { hasText: "Units waiting" }).count()).resolves.toBe(1);
    await expect(page.getByText(/days of demand · figures as of just now$/).count()).resolves.toBe(1);
    // One location: no per-location breakdown (decision 0032).
    await expect(page.locator("th", { hasText: "By location" }).count()).resolves.toBe(0);
    await page.getByRole("link", { name: "All", exact: true }).click();
    await page.waitForURL(/filter=all/);
    const waiting = await t.db.backorderLine.groupBy({ by: ["variantId"], where: { shop: SHOP, state: "waiting" } });
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(Math.min(50, waiting.length));
    if (testProvider() === "sqlite") await page.screenshot({ path: screenshotPath("planning.png"), fullPage: true });
  });

  it("shows one variant's chart, saves its batches in bulk, and refuses a bad row with its message", async () => {
    await open(`/app/planning/${variantId}`);
    await expect(page.locator('svg[role="img"] title', { hasText: "Units waiting, orders per day and restocks" }).count()).resolves.toBe(1);
    const date = inDays(9);
    await page.getByLabel("Arrives on (batch 1)").fill(date);
    await page.getByLabel("Quantity").first().fill("25");
    await page.getByLabel("Reference / PO (optional)").first().fill("PO-778");
    await page.getByRole("button", { name: "Save batches" }).click();
    await page.getByText("Saved 1 batches.", { exact: false }).waitFor();
    const saved = await t.db.incomingBatch.findMany({ where: { shop: SHOP, variantId } });
    expect(saved.map((b) => [b.arrivesOn.toISOString().slice(0, 10), b.quantity, b.reference])).toEqual([[date, 25, "PO-778"]]);
    expect(await t.db.syncTask.count({ where: { shop: SHOP, kind: "variant", targetId: variantId, status: "pending" } })).toBe(1);
    // The projection now marks the batch on the chart.
    await expect.poll(() => page.locator('svg[role="img"] title', { hasText: "25 units arrive" }).count(), { timeout: 15_000 }).toBe(1);
    if (testProvider() === "sqlite") await page.screenshot({ path: screenshotPath("planning-variant.png"), fullPage: true });

    await page.getByLabel("Arrives on (batch 2)").fill(inDays(20));
    await page.getByLabel("Quantity").nth(1).fill("0");
    await page.getByRole("button", { name: "Save batches" }).click();
    await page.getByText("Quantity must be at least 1.").waitFor();
    expect(await t.db.incomingBatch.count({ where: { shop: SHOP, variantId } })).toBe(1);
  });

  it("imports batches from a CSV file all or nothing", async () => {
    const sku = (await t.db.variant.findFirstOrThrow({ where: { shop: SHOP, variantId } })).sku!;
    await open("/app/planning");
    const input = page.locator('input[type="file"][name="file"]');
    const before = await t.db.incomingBatch.count({ where: { shop: SHOP } });
    await input.setInputFiles({
      name: "bad.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`sku,arrives_on,quantity\n${sku},${inDays(12)},5\nNOPE-1,${inDays(12)},5\n`),
    });
    await page.getByRole("button", { name: "Import" }).click();
    await page.getByText("Line 3: no variant with SKU NOPE-1.").waitFor();
    expect(await t.db.incomingBatch.count({ where: { shop: SHOP } })).toBe(before);
    await input.setInputFiles({
      name: "good.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`sku,arrives_on,quantity,reference\n${sku},${inDays(12)},5,PO-9\n`),
    });
    await page.getByRole("button", { name: "Import" }).click();
    await page.getByText("Imported 1 batches for 1 variants").waitFor();
    expect(await t.db.incomingBatch.count({ where: { shop: SHOP, variantId } })).toBe(2);
  });

  it("serves the supplier export as CSV over HTTP", async () => {
    const res = await page.request.get(`${server.url}/app/planning/export?cover=14`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/csv");
    expect(res.headers()["content-disposition"]).toMatch(/attachment; filename="supplier-order-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]!.startsWith("SKU,Variant,Variant ID,Order quantity")).toBe(true);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.endsWith(",14"))).toBe(true);
  });

  it("shows promise accuracy on the dashboard, and no page error anywhere", async () => {
    await open("/app");
    const figure = page.locator("h3", { hasText: "Promises kept" }).locator("xpath=following-sibling::p[1]");
    await expect(figure.innerText()).resolves.toBe("50.0%");
    await expect(page.getByText("1 of 2 shipped lines by the first date promised; mean slip 0.5 days").count()).resolves.toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
