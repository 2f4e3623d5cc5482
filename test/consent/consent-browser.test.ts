// The customer's side in real Chromium: the delay notice's cancel link opened on the shop's
// domain (the App Proxy stand-in), the confirm page inside the shop's theme, the button pressed,
// the answer page; then the keep link of another line, and the same link again.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshotPath } from "../storefront/browser.ts";
import { L, O, SHOP, startConsentShop, type ConsentShop } from "./consent-shop.ts";

let s: ConsentShop;
let browser: Browser;

beforeAll(async () => {
  s = await startConsentShop("consent_browser");
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe("the customer's page in Chromium", () => {
  it("cancel: confirm inside the theme, press the button, the line is refunded and leaves the queue", async () => {
    const page = await browser.newPage();
    await page.goto(s.link("cancel", L.b));
    await expect(page.title()).resolves.toBe("Consent Knits"); // the shop's layout, not the app's
    await expect(page.locator("header.header").innerText()).resolves.toBe("Consent Knits");
    await expect(page.locator("h1").innerText()).resolves.toBe("Cancel this item?");
    await expect(page.locator(".backorder-consent__line").innerText()).resolves.toContain("December 24, 2026");
    await page.screenshot({ path: screenshotPath("consent-cancel.png"), fullPage: true });
    expect(s.h.shop.orders.get(`gid://shopify/Order/${O.b}`)!.refunds).toEqual([]); // opening changed nothing

    await page.getByRole("button", { name: "Cancel this item and refund me" }).click();
    await page.locator("h1", { hasText: "The item is cancelled" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/apps/backorder/consent/cancel"); // still on the shop's domain
    expect(s.h.shop.orders.get(`gid://shopify/Order/${O.b}`)!.refunds).toHaveLength(1);
    const line = await s.t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop: SHOP, lineItemId: String(L.b) } } });
    expect(line.state).toBe("cancelled");

    // Back, and the button again (the browser re-posts): already answered, no second refund.
    await page.goto(s.link("cancel", L.b));
    await expect(page.locator("h1").innerText()).resolves.toBe("You have already answered");
    await expect(page.locator("form").count()).resolves.toBe(0);
    expect(s.h.shop.orders.get(`gid://shopify/Order/${O.b}`)!.refunds).toHaveLength(1);
    await page.close();
  });

  it('the other choice is on the page too: the cancel link, then "keep my order" instead', async () => {
    const page = await browser.newPage();
    await page.goto(s.link("cancel", L.d));
    await page.getByRole("button", { name: "Keep my order" }).click();
    await page.locator("h1", { hasText: "your order stays" }).waitFor();
    const record = await s.t.db.consentRecord.findFirstOrThrow({ where: { shop: SHOP, lineItemId: String(L.d) } });
    expect(record.choice).toBe("keep");
    expect(s.h.shop.orders.get(`gid://shopify/Order/${O.d}`)!.refunds).toEqual([]);
    await page.close();
  });

  it("keep: the answer is recorded and the page says so", async () => {
    const page = await browser.newPage();
    await page.goto(s.link("keep", L.c));
    await page.getByRole("button", { name: "Keep my order" }).click();
    await page.locator("h1", { hasText: "your order stays" }).waitFor();
    const record = await s.t.db.consentRecord.findFirstOrThrow({ where: { shop: SHOP, lineItemId: String(L.c) } });
    expect(record.choice).toBe("keep");
    await page.close();
  });
});
