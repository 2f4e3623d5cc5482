// The first-run guide in headless Chromium: the admin as the offline demo serves it, with the
// Admin API stand-in behind it (SHOPIFY_ADMIN_API_ORIGIN), so the dashboard reads the shop's
// published theme for real. The guide lists what is left with the theme editor's deep links,
// marks what the merchant did, and stays closed once dismissed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { AdminStandin } from "../../dev/admin-standin/server.ts";
import { installOfflineSession } from "../../dev/admin-standin/install.ts";
import type { StandinShop } from "../../dev/admin-standin/state.ts";
import { DEMO_API_KEY, startAppDevServer, type AppDevServer } from "../../dev/app-dev-server.ts";
import { APP_EMBED_HANDLE, APP_HANDLE, PRODUCT_BLOCK_HANDLE, parseThemeJson } from "../../app/backorder/onboarding.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";
import { launchChromium, openAdminPage } from "./dev-server.ts";
import { screenshotPath } from "../storefront/browser.ts";

const SHOP = "onboarding-browser.myshopify.com";
const UUID = "5e1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
let t: TestDatabase;
let standin: AdminStandin;
let shop: StandinShop;
let server: AppDevServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase("admin_onboarding_browser");
  standin = new AdminStandin();
  shop = standin.addShop({ domain: SHOP });
  const origin = await standin.listen();
  await installOfflineSession(t.db, SHOP, shop.accessToken);
  [server, browser] = await Promise.all([
    startAppDevServer({ databaseUrl: t.url, shop: SHOP, env: { SHOPIFY_ADMIN_API_ORIGIN: origin } }),
    launchChromium(),
  ]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await standin?.close();
  await t?.drop();
});

async function openDashboard() {
  await openAdminPage(page, `${server.url}/app`);
}

const steps = () => page.locator('ol[aria-label="Setup steps"] > li');
const doneOf = () => steps().evaluateAll((lis) => lis.map((li) => [li.getAttribute("data-step"), li.getAttribute("data-done")]));

describe("first-run guide in Chromium", () => {
  it("lists the four steps with the theme editor's deep links", async () => {
    await openDashboard();
    await expect(page.getByRole("heading", { name: "Set up Backorder Queue" }).count()).resolves.toBe(1);
    await expect(doneOf()).resolves.toEqual([
      ["product-block", "false"],
      ["app-embed", "false"],
      ["variants", "false"],
      ["restock-date", "false"],
    ]);
    const block = page.getByRole("link", { name: "Add in the theme editor" });
    await expect(block.getAttribute("href")).resolves.toBe(
      `https://${SHOP}/admin/themes/current/editor?template=product&addAppBlockId=${DEMO_API_KEY}/${PRODUCT_BLOCK_HANDLE}&target=mainSection`,
    );
    await expect(page.getByRole("link", { name: "Turn on in the theme editor" }).getAttribute("href")).resolves.toBe(
      `https://${SHOP}/admin/themes/current/editor?context=apps&template=product&activateAppId=${DEMO_API_KEY}/${APP_EMBED_HANDLE}`,
    );
    await expect(page.getByRole("link", { name: "Choose variants", exact: true }).getAttribute("href")).resolves.toBe("/app/variants");
    await expect(page.getByText("theme “Dawn”", { exact: false }).count()).resolves.toBe(1);
    if (testProvider() === "sqlite") await page.screenshot({ path: screenshotPath("onboarding-guide.png"), fullPage: true });
  });

  it("marks the theme steps done once the theme has the block and the embed", async () => {
    const theme = shop.themes[0]!;
    const template = parseThemeJson(theme.files.get("templates/product.json")!) as {
      sections: { main: { blocks: Record<string, unknown> } };
    };
    template.sections.main.blocks["app_block"] = {
      type: `shopify://apps/${APP_HANDLE}/blocks/${PRODUCT_BLOCK_HANDLE}/${UUID}`,
      settings: {},
    };
    theme.files.set("templates/product.json", JSON.stringify(template));
    theme.files.set(
      "config/settings_data.json",
      JSON.stringify({
        current: { blocks: { "1": { type: `shopify://apps/${APP_HANDLE}/blocks/${APP_EMBED_HANDLE}/${UUID}`, disabled: false } } },
      }),
    );
    // The dashboard keeps its last look at the theme for a few minutes: age it instead of waiting.
    await t.db.onboardingState.update({ where: { shop: SHOP }, data: { themeCheckedAt: new Date(0) } });
    await openDashboard();
    await expect(doneOf()).resolves.toEqual([
      ["product-block", "true"],
      ["app-embed", "true"],
      ["variants", "false"],
      ["restock-date", "false"],
    ]);
    await expect(page.getByText("2 of 4 steps done").count()).resolves.toBe(1);
    await expect(page.getByRole("link", { name: "Add in the theme editor" }).count()).resolves.toBe(0);
  });

  it("stays closed after Dismiss guide", async () => {
    await page.getByRole("button", { name: "Dismiss guide" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Set up Backorder Queue" }).count(), { timeout: 15_000 }).toBe(0);
    await expect(t.db.onboardingState.findUniqueOrThrow({ where: { shop: SHOP } })).resolves.toMatchObject({
      dismissedAt: expect.any(Date),
    });
    await openDashboard();
    await expect(page.getByRole("heading", { name: "Set up Backorder Queue" }).count()).resolves.toBe(0);
    await expect(page.getByText("No backorders yet", { exact: true }).count()).resolves.toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
