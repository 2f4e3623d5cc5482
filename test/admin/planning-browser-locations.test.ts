// The planning pages of a shop with two locations in headless Chromium (decision 0032): the
// overview's "By location" column and the variant page's breakdown and per-location projection
// for the lamp placed at East and at West, with a batch at West that does not serve East's
// placed line. No page error on the way (hydration included).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";
import { launchChromium, startDevServer, type DevServer, openAdminPage } from "./dev-server.ts";
import { screenshotPath } from "../storefront/browser.ts";
import { formatCalendarDate } from "../../app/admin/format.ts";

const SHOP = "two-locations.myshopify.com";
const EAST = "111";
const WEST = "222";
const DAY = 86_400_000;
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString().slice(0, 10);
let t: TestDatabase;
let server: DevServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

let n = 0;
function line(locationId: string | null, assignedLocationId: string | null) {
  n++;
  // Backordered 40 days ago: no recent demand, the projection is the queue alone.
  const at = new Date(Date.now() - (40 + n) * DAY);
  return {
    shop: SHOP,
    lineItemId: `line-${n}`,
    orderId: `o-${n}`,
    orderName: `#${1000 + n}`,
    orderedAt: at,
    backorderedAt: at,
    variantId: "lamp",
    title: "Lamp",
    snapshotQuantity: 1,
    snapshotOpenQuantity: 1,
    quantity: 1,
    openQuantity: 1,
    waitingQuantity: 1,
    state: "waiting",
    locationId,
    assignedLocationId,
  };
}

beforeAll(async () => {
  t = await createTestDatabase("admin_planning_locations");
  await t.db.shopSettings.create({ data: { shop: SHOP } });
  await t.db.variant.create({
    data: {
      shop: SHOP,
      variantId: "lamp",
      productId: "p1",
      productTitle: "Lamp",
      title: "Brass",
      sku: "LMP-B",
      productUpdatedAt: new Date(),
    },
  });
  await t.db.backorderLine.createMany({ data: [line(EAST, EAST), line(WEST, WEST), line(EAST, null), line(null, null)] });
  await t.db.incomingBatch.create({
    data: { shop: SHOP, variantId: "lamp", arrivesOn: new Date(`${inDays(5)}T00:00:00Z`), quantity: 4, locationId: WEST },
  });
  const level = (locationId: string) => ({ shop: SHOP, inventoryItemId: "item-lamp", locationId, available: -2, updatedAt: new Date() });
  await t.db.inventoryLevel.createMany({ data: [level(EAST), level(WEST)] });
  [server, browser] = await Promise.all([startDevServer({ databaseUrl: t.url, shop: SHOP }), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.drop();
});

describe("planning per location in Chromium", () => {
  it("the overview says where the lamp's units wait and when each location's queue clears", async () => {
    await openAdminPage(page, `${server.url}/app/planning?filter=all`);
    await page.getByRole("heading", { name: "Planning" }).waitFor();
    await expect(page.locator("th", { hasText: "By location" }).count()).resolves.toBe(1);
    const row = page.locator("tbody tr", { hasText: "Lamp — Brass" });
    await expect(row.getByText(`Location ${EAST}: 2 · clears not yet`).count()).resolves.toBe(1);
    await expect(row.getByText(`Location ${WEST}: 1 · clears ${formatCalendarDate(inDays(5))}`).count()).resolves.toBe(1);
    await expect(row.getByText(`Not placed yet: 1 · clears ${formatCalendarDate(inDays(5))}`).count()).resolves.toBe(1);
    // The shop's queue does not clear with the West batch, and the variant outgrows it.
    await expect(row.getByText("Not with the batches planned").count()).resolves.toBe(1);
    await expect(row.getByText("Queue outgrows next batch").count()).resolves.toBe(1);
  });

  it("the variant page shows each location's queue and its projection on the batch date", async () => {
    await openAdminPage(page, `${server.url}/app/planning/lamp`);
    await page.getByRole("heading", { name: "By location", exact: true }).waitFor();
    const summary = page.locator("table").filter({ hasText: "Of them placed there" });
    await expect(summary.locator("tbody tr").allInnerTexts()).resolves.toEqual([
      expect.stringMatching(new RegExp(`^Location ${EAST}\\s+2\\s+1\\s+Not with the batches planned$`)),
      expect.stringMatching(new RegExp(`^Location ${WEST}\\s+1\\s+1\\s+${formatCalendarDate(inDays(5))}$`)),
      expect.stringMatching(new RegExp(`^Not placed yet\\s+1\\s+—\\s+${formatCalendarDate(inDays(5))}$`)),
    ]);
    const projection = page.locator("table").filter({ hasText: "Arrives at" });
    await expect(projection.locator("tbody tr").allInnerTexts()).resolves.toEqual([
      expect.stringMatching(new RegExp(`^${formatCalendarDate(inDays(5))}: 4\\s+Location ${WEST}\\s+2 → 1\\s+1 → 0\\s+1 → 0\\s+4 → 1$`)),
    ]);
    if (testProvider() === "sqlite") await page.screenshot({ path: screenshotPath("planning-variant-locations.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
