// The app embed's cart notice on both fixture themes, in headless Chromium: which lines ship
// later and when (the date the product page put on the line), whether the cart mixes in-stock
// and backordered items and, from the shop's `$app.backorder_shipping` metafield, whether
// they ship separately. On the cart page (rendered by Liquid, so it reads without
// JavaScript) and in the cart drawer, repainted after an add without a request to the app.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startStorefront, type Storefront, type StorefrontOptions } from "../../dev/storefront/server.ts";
import { LINEN_SHIRT } from "../../dev/storefront/fixture-product.ts";
import { THEMES, type StorefrontProduct } from "../../dev/storefront/render.ts";
import { launchChromium } from "./browser.ts";

const [S, M] = LINEN_SHIRT.variants.map((v) => v.id) as [string, string];
const M_LINE = "Linen shirt - M — ships ~Dec 16, 2026";
const MIXED = "Your cart has items in stock and items on backorder.";
const SEPARATELY = "In-stock items ship now; the others ship when they arrive.";
const TOGETHER = "Everything ships together once the backordered items arrive.";
const backordered = { id: M, quantity: 1, properties: { "Backorder ships": "2026-12-16" } };
const inStock = { id: S, quantity: 2, properties: {} };

let browser: Browser;
const storefronts: Storefront[] = [];
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(storefronts.map((s) => s.close()));
});

/** What a shopper reads in each cart notice on the page (in document order), and what sits right after it. */
const notices = (page: Page) =>
  page.locator("[data-bq-cart]").evaluateAll((all) =>
    all
      .filter((n) => !(n as HTMLElement).hidden)
      .map((n) => ({
        lines: [...n.querySelectorAll("li")].map((li) => li.textContent),
        mixed: (n.querySelector(".bq-cart__mixed") as HTMLElement).hidden ? null : n.querySelector(".bq-cart__mixed")!.textContent,
        before: n.nextElementSibling?.getAttribute("name") ?? null,
      })),
  );

describe.each(THEMES)("cart notice on the %s theme", (theme) => {
  async function storefront(options: Partial<StorefrontOptions> = {}, product: StorefrontProduct = LINEN_SHIRT) {
    const s = await startStorefront({
      theme,
      appEmbed: true,
      shipping: { v: 1, hold: "lines" },
      products: [product],
      loadProduct: (h) => (h === product.handle ? product : null),
      ...options,
    });
    storefronts.push(s);
    return s;
  }
  async function cartPage(s: Storefront, javaScriptEnabled = true) {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    await page.goto(`${s.url}/cart`, { waitUntil: "networkidle" });
    return page;
  }

  it("lists the lines that ship later, says the cart is mixed and that in-stock items ship now, without JavaScript", async () => {
    const s = await storefront();
    s.cart.push(backordered, inStock);
    const page = await cartPage(s, false);
    expect(await notices(page)).toEqual([{ lines: [M_LINE], mixed: `${MIXED} ${SEPARATELY}`, before: null }]);
    await page.context().close();
  });

  it("places one notice right above the checkout button with the script, saying the same", async () => {
    const s = await storefront();
    s.cart.push(backordered, inStock);
    const page = await cartPage(s);
    expect(await notices(page)).toEqual([{ lines: [M_LINE], mixed: `${MIXED} ${SEPARATELY}`, before: "checkout" }]);
    await page.context().close();
  });

  it("follows the shop's hold setting: together when the whole order waits, nothing said without holds or metafield", async () => {
    for (const [shipping, mixed] of [
      [{ v: 1, hold: "order" }, `${MIXED} ${TOGETHER}`],
      [{ v: 1, hold: "off" }, MIXED],
      [null, MIXED],
    ] as const) {
      const s = await storefront({ shipping });
      s.cart.push(backordered, inStock);
      for (const js of [false, true]) {
        const page = await cartPage(s, js);
        expect((await notices(page))[0]?.mixed, `${shipping?.hold} js=${js}`).toBe(mixed);
        await page.context().close();
      }
    }
  });

  it("says nothing of a mix when every line waits, and nothing at all when none does", async () => {
    const s = await storefront();
    s.cart.push(backordered);
    for (const js of [false, true]) {
      const page = await cartPage(s, js);
      expect(await notices(page)).toEqual([{ lines: [M_LINE], mixed: null, before: js ? "checkout" : null }]);
      await page.context().close();
    }
    const none = await storefront();
    none.cart.push(inStock, { id: S, quantity: 1, properties: { "Backorder ships": "not a date" } });
    for (const js of [false, true]) {
      const page = await cartPage(none, js);
      expect(await notices(page)).toEqual([]);
      await page.context().close();
    }
  });

  it("writes the date in the merchant's format and the storefront's language, the script as Liquid does", async () => {
    const formats = ["%b %-d, %Y", "%B %-d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d"];
    const line = { id: M, quantity: 1, properties: { "Backorder ships": "2026-12-08" } };
    for (const date_format of formats) {
      const s = await storefront({ blockSettings: { date_format } });
      s.cart.push(line);
      const [server, script] = [await cartPage(s, false), await cartPage(s)];
      const served = (await notices(server))[0]?.lines;
      expect(served?.[0], date_format).toMatch(/^Linen shirt - M — ships ~/);
      expect((await notices(script))[0]?.lines, date_format).toEqual(served);
      await server.context().close();
      await script.context().close();
    }
    const fr = await storefront({ locale: "fr", blockSettings: { date_format: "%d/%m/%Y" } });
    fr.cart.push(backordered, inStock);
    const page = await cartPage(fr);
    expect(await notices(page)).toEqual([
      {
        lines: ["Linen shirt - M — expédition vers le 16/12/2026"],
        mixed:
          "Votre panier contient des articles en stock et des articles en précommande. Les articles en stock partent tout de suite ; les autres à leur arrivée.",
        before: "checkout",
      },
    ]);
    await page.context().close();
  });

  it("keeps a hostile product title as text", async () => {
    const hostile: StorefrontProduct = { ...LINEN_SHIRT, title: '</script><img src=x onerror="window.__pwned=1">' };
    const s = await storefront({}, hostile);
    s.cart.push(backordered);
    for (const js of [false, true]) {
      const page = await cartPage(s, js);
      expect((await notices(page))[0]?.lines).toEqual([`${hostile.title} - M — ships ~Dec 16, 2026`]);
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await page.context().close();
    }
  });

  it("shows the notice in the cart drawer after each add, from the storefront's cart alone", async () => {
    const s = await storefront({ cartType: "drawer" });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`${s.url}/products/linen-shirt?variant=${M}`);
    await page.waitForFunction(() => customElements.get("variant-radios") || customElements.get("variant-picker"));
    // The drawer is on the page, closed, with an empty cart: nothing to say yet.
    expect(await notices(page)).toEqual([]);
    const drawerNotice = () => page.locator("[data-bq-cart]:not([hidden])");
    await page.locator('button[name="add"]').click();
    await drawerNotice().getByText(M_LINE).waitFor();
    expect(await notices(page)).toEqual([{ lines: [M_LINE], mixed: null, before: "checkout" }]);
    expect(await drawerNotice().isVisible()).toBe(true);
    // Add the in-stock size too: the drawer is rendered again and the notice says the cart is mixed.
    await page.goto(`${s.url}/products/linen-shirt?variant=${S}`);
    await page.waitForFunction(() => customElements.get("variant-radios") || customElements.get("variant-picker"));
    await page.locator('button[name="add"]').click();
    await drawerNotice().locator(".bq-cart__mixed:not([hidden])").waitFor();
    expect(await notices(page)).toEqual([{ lines: [M_LINE], mixed: `${MIXED} ${SEPARATELY}`, before: "checkout" }]);
    expect(requests.every((u) => u.startsWith(s.url))).toBe(true);
    expect(s.cart.map((l) => l.id)).toEqual([M, S]);
    await page.close();
  });
});
