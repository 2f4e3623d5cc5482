// The merchant admin in headless Chromium, served the way the offline demo serves it
// (vite:dev + BACKORDER_DEMO_SHOP, no Shopify, no CDN): every page renders with seeded
// data, a setting survives a reload, a bulk action changes the queue. Screenshots of
// each page are taken on the SQLite run (see screenshotPath: docs/screenshots/ on request).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";
import { launchChromium, startDevServer, type DevServer, openAdminPage } from "./dev-server.ts";
import { screenshotPath } from "../storefront/browser.ts";

const SHOP = "demo-shop.myshopify.com";
let t: TestDatabase;
let server: DevServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase("admin_browser");
  await seedAdminShop(t.db, { shop: SHOP, lines: 300 });
  await seedAdminShop(t.db, { shop: "neighbour.myshopify.com", lines: 50, seed: 99 });
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

const shot = async (name: string, fullPage = true) => {
  if (testProvider() === "sqlite") await page.screenshot({ path: screenshotPath(name), fullPage });
};

describe("merchant admin in Chromium", () => {
  it("dashboard shows the shop's numbers and charts", async () => {
    await open("/app");
    const waiting = await t.db.backorderLine.count({ where: { shop: SHOP, state: "waiting" } });
    const figure = page.locator("h3", { hasText: "Waiting lines" }).locator("xpath=following-sibling::p[1]");
    await expect(figure.innerText()).resolves.toBe(waiting.toLocaleString("en-US"));
    await expect(page.locator('svg[role="img"] title', { hasText: "Backorder revenue won by week" }).count()).resolves.toBe(1);
    await expect(page.locator('svg[role="img"] title', { hasText: "Variants with the most backordered lines" }).count()).resolves.toBe(1);
    await expect(page.getByText("Demo", { exact: true }).count()).resolves.toBe(1);
    // The figures come from a snapshot computed on this first load, and say how old they are.
    await expect(page.getByText(/over the last 90 days · figures as of just now$/).count()).resolves.toBe(1);
    await shot("dashboard.png");
    await page.getByRole("link", { name: "Daily" }).click();
    await page.waitForURL(/by=day/);
    await expect
      .poll(() => page.locator('svg[role="img"] title', { hasText: "Backorder revenue won by day" }).count(), { timeout: 15_000 })
      .toBe(1);
  });

  it("queue: FIFO rows, search, and a bulk action that sticks", async () => {
    await open("/app/queue");
    const rows = page.locator(".Polaris-IndexTable__TableRow");
    await expect(rows.count()).resolves.toBe(50);
    const oldest = await t.db.backorderLine.findFirstOrThrow({
      where: { shop: SHOP, state: "waiting" },
      orderBy: [{ orderedAt: "asc" }, { lineItemId: "asc" }],
    });
    await expect(rows.first().innerText()).resolves.toContain(oldest.orderName);

    // Select the two oldest lines and mark them notified.
    const targets = await t.db.backorderLine.findMany({
      where: { shop: SHOP, state: "waiting" },
      orderBy: [{ orderedAt: "asc" }, { lineItemId: "asc" }],
      take: 2,
    });
    await t.db.backorderLine.updateMany({
      where: { shop: SHOP, lineItemId: { in: targets.map((x) => x.lineItemId) } },
      data: { notifiedAt: null },
    });
    for (const i of [0, 1]) await rows.nth(i).locator(".Polaris-IndexTable__TableCell--first .Polaris-Checkbox").click();
    await page.getByRole("button", { name: "Mark notified" }).click();
    await page.getByText("2 lines marked as notified.").waitFor();
    const after = await t.db.backorderLine.findMany({ where: { shop: SHOP, lineItemId: { in: targets.map((x) => x.lineItemId) } } });
    expect(after.every((l) => l.notifiedAt !== null)).toBe(true);

    // Set a restock date for the first line's variant.
    await rows.first().locator(".Polaris-IndexTable__TableCell--first .Polaris-Checkbox").click();
    const date = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("Restock date").fill(date);
    await page.getByRole("button", { name: "Set restock date" }).click();
    await page.getByText(`Restock date ${date} set for 1 variant.`).waitFor();
    const policy = await t.db.variantPolicy.findUniqueOrThrow({
      where: { shop_variantId: { shop: SHOP, variantId: targets[0]!.variantId } },
    });
    expect(policy.restockDate?.toISOString().slice(0, 10)).toBe(date);
    expect(await t.db.syncTask.count({ where: { shop: SHOP, kind: "variant", targetId: targets[0]!.variantId, status: "pending" } })).toBe(
      1,
    );
    await shot("queue.png", false);

    // Search narrows the rows to the customer.
    const customer = oldest.customerName!;
    await page.getByLabel("Search").fill(customer);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/q=/);
    const matching = await t.db.backorderLine.count({ where: { shop: SHOP, state: "waiting", customerName: customer } });
    await expect
      .poll(() => rows.allInnerTexts(), { timeout: 15_000 })
      .toSatisfy((texts: string[]) => texts.length === Math.min(50, matching) && texts.every((x) => x.includes(customer)));
  });

  it("queue: select all lines matching the filter, across pages, and act on them", async () => {
    await open("/app/queue");
    const total = await t.db.backorderLine.count({ where: { shop: SHOP, state: "waiting" } });
    expect(total).toBeGreaterThan(50);
    await t.db.backorderLine.updateMany({ where: { shop: SHOP }, data: { notifiedAt: null } });
    const neighbour = await t.db.backorderLine.count({ where: { shop: { not: SHOP }, notifiedAt: { not: null } } });
    // Any selection shows Polaris's bulk bar, with the select-all across pages.
    await page.locator(".Polaris-IndexTable__TableRow").first().locator(".Polaris-IndexTable__TableCell--first .Polaris-Checkbox").click();
    await page.getByRole("button", { name: `Select all ${total} lines matching the filter` }).click();
    await page.getByText(`All ${total} matching lines selected`).waitFor();
    await page.getByRole("button", { name: "Mark notified" }).click();
    await page.getByText(`${total} lines marked as notified.`).waitFor();
    expect(await t.db.backorderLine.count({ where: { shop: SHOP, notifiedAt: { not: null } } })).toBe(total);
    expect(await t.db.backorderLine.count({ where: { shop: { not: SHOP }, notifiedAt: { not: null } } })).toBe(neighbour);
  });

  it("queue: the customer's answer to a delay notice shows on the line, and the order opens the line's history", async () => {
    const oldest = await t.db.backorderLine.findFirstOrThrow({
      where: { shop: SHOP, state: "waiting" },
      orderBy: [{ orderedAt: "asc" }, { lineItemId: "asc" }],
    });
    await t.db.consentRecord.create({
      data: {
        shop: SHOP,
        lineItemId: oldest.lineItemId,
        orderId: oldest.orderId,
        promisedDate: "2026-12-24",
        choice: "keep",
        quantity: oldest.openQuantity,
        answeredAt: new Date("2026-11-29T15:00:00Z"),
      },
    });
    await open("/app/queue");
    const first = page.locator(".Polaris-IndexTable__TableRow").first();
    await expect(first.innerText()).resolves.toContain("Customer waits (Dec 24, 2026)");
    await first.getByRole("link", { name: new RegExp(`^History of ${oldest.orderName}`) }).click();
    await page.waitForURL(new RegExp(`/app/lines/${oldest.lineItemId}$`));
    await page.getByText("Customer agreed to wait for 2026-12-24").waitFor();
    await shot("line-history.png");
    // Another shop's line is not found from this shop.
    const ours = new Set(
      (await t.db.backorderLine.findMany({ where: { shop: SHOP }, select: { lineItemId: true } })).map((l) => l.lineItemId),
    );
    const theirs = await t.db.backorderLine.findMany({ where: { shop: "neighbour.myshopify.com" }, select: { lineItemId: true } });
    const neighbour = theirs.find((l) => !ours.has(l.lineItemId))!;
    const res = await page.goto(`${server.url}/app/lines/${neighbour.lineItemId}`);
    expect(res?.status()).toBe(404);
  });

  it("variants: a wrong value is explained, a right one is saved and survives a reload", async () => {
    await open("/app/variants");
    const rows = page.locator(".Polaris-IndexTable__TableRow");
    const firstName = (await rows.first().innerText()).split("\n")[0]!;
    await rows.first().locator(".Polaris-IndexTable__TableCell--first .Polaris-Checkbox").click();
    const lead = page.getByLabel("Lead time (days)");
    await lead.fill("-4");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Lead time cannot be negative.").waitFor();
    await shot("variants.png", false);
    await lead.fill("23");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved settings for 1 variant.").waitFor();
    await open("/app/variants");
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: firstName }).first();
    await expect(row.innerText()).resolves.toContain("23 d");
  });

  it("settings: the template is saved, and sync problems can be retried", async () => {
    await open("/app/settings");
    await page.getByText("Throttled: Admin API cost limit exceeded").waitFor();
    await page.getByLabel("Message template").fill("Ships around {date} — thank you for waiting");
    await page.getByLabel("Order tag").fill("waiting-for-stock");
    await expect(page.getByLabel("Send Flow triggers").isChecked()).resolves.toBe(true);
    await page.getByText("Don't send them").click(); // Polaris hides the radio itself behind its label
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Settings saved.").waitFor();
    await open("/app/settings");
    await expect(page.getByLabel("Message template").inputValue()).resolves.toBe("Ships around {date} — thank you for waiting");
    await expect(page.getByLabel("Order tag").inputValue()).resolves.toBe("waiting-for-stock");
    // Fields left alone keep their values (the hold toggle is on by default).
    await expect(page.getByLabel("Hold only the backordered items").isChecked()).resolves.toBe(true);
    await expect(page.getByLabel("Don't send them").isChecked()).resolves.toBe(true);
    expect(await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      orderTag: "waiting-for-stock",
      holdMode: "lines",
      flowTriggers: false,
    });
    await shot("settings.png");
    await page.getByRole("button", { name: /^Retry orders\/updated event/ }).click();
    await page.getByText("1 queued to retry now.").waitFor();
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: "dead" } })).toBe(0);
  });

  it("settings: the undo before uninstalling pauses the app, shows what is left, and the app can be turned back on", async () => {
    // What the app set: three variants (one changed before originals were recorded), two tagged orders.
    const at = new Date("2026-11-01T00:00:00Z");
    await t.db.syncedVariant.createMany({
      data: ["u1", "u2", "u3"].map((v, i) => ({
        shop: SHOP,
        variantId: v,
        inventoryPolicy: "CONTINUE",
        metafieldValue: "{}",
        originalPolicy: i ? "DENY" : null,
        syncedAt: at,
      })),
    });
    await t.db.syncedOrder.createMany({
      data: ["o1", "o2"].map((o) => ({ shop: SHOP, orderId: o, tagged: true, tag: "backorder", syncedAt: at })),
    });
    await open("/app/settings");
    await page
      .getByText('1 variant was changed before the app recorded the earlier policy: it goes back to "Stop selling when out of stock"', {
        exact: false,
      })
      .waitFor();
    await page.getByRole("button", { name: "Undo the app's changes before uninstalling" }).click();
    await page.getByText("The undo is queued; the app sends nothing else to Shopify from now on.").waitFor();
    expect((await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).pausedAt).not.toBeNull();
    expect(await t.db.syncTask.findUnique({ where: { shop_kind_targetId: { shop: SHOP, kind: "undo", targetId: SHOP } } })).toMatchObject({
      status: "pending",
    });
    await open("/app/settings");
    await page.getByText("Left: 3 inventory policies, 3 storefront statuses, 2 order tags", { exact: false }).waitFor();
    await page.getByRole("button", { name: "Turn the app back on" }).click();
    await page.getByText(/^The app is back on: \d+ variants and \d+ orders are being updated in Shopify\.$/).waitFor();
    expect((await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).pausedAt).toBeNull();
  });

  it("raised no errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
