// The theme app extension on the product pages of our two fixture themes (rendered with
// liquidjs, served by dev/storefront/server.ts) in headless Chromium: what shoppers read,
// what the cart gets. The Dawn-like theme announces a variant by firing `change` on the
// form's `id` input; the Horizon-like one sets `id` silently and dispatches Shopify's
// standard `shopify:product:select` event.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startStorefront, type Storefront } from "../../dev/storefront/server.ts";
import { LINEN_SHIRT } from "../../dev/storefront/fixture-product.ts";
import { StorefrontRenderer, THEMES, type StorefrontProduct, type StorefrontTheme } from "../../dev/storefront/render.ts";
import { launchChromium } from "./browser.ts";

const BACKORDER_TEXT = "Available for backorder — ships ~Dec 16, 2026";
const [S, M, L] = LINEN_SHIRT.variants.map((v) => v.id) as [string, string, string, string];
const FORM = 'form[data-type="add-to-cart-form"]';
/** Each theme's variant picker element. */
const PICKER: Record<StorefrontTheme, string> = { "dawn-like": "variant-radios", "horizon-like": "variant-picker" };

let browser: Browser;
const storefronts: Storefront[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(storefronts.map((s) => s.close()));
});

const noticeText = (page: Page) => page.locator("[data-bq-notice] .bq-notice__text").innerText();
const property = (page: Page) =>
  page.evaluate((selector) => new FormData(document.querySelector(selector) as HTMLFormElement).get("properties[Backorder ships]"), FORM);
const buttonText = (page: Page) => page.locator('button[name="add"]').innerText();
/** The alternatives line: its links' text, and whether a shopper sees it. */
const alternatives = (page: Page) =>
  page.locator(".bq-notice__alternatives").evaluateAll((lines) =>
    lines.map((line) => ({
      links: [...line.querySelectorAll("a")].map((a) => `${a.textContent} ${a.getAttribute("href")}`),
      visible: getComputedStyle(line).visibility === "visible",
    })),
  );
const idOf = (size: string) => LINEN_SHIRT.variants.find((v) => v.title === size)!.id;

/** A synthetic `shopify:product:select`, shaped as Shopify documents it, from the product form. */
const announce = (page: Page, handle: string, variantId: string | null) =>
  page.evaluate(
    async ([selector, handle, variantId]) => {
      const event = Object.assign(new Event("shopify:product:select", { bubbles: true }), {
        product: { id: "gid://shopify/Product/8001", title: "Linen shirt", handle },
        selectedOptions: [{ name: "Size", value: "?" }],
        promise: Promise.resolve({ variant: variantId ? { id: `gid://shopify/ProductVariant/${variantId}` } : null }),
      });
      document.querySelector(selector)!.dispatchEvent(event);
      // Listeners' callbacks on the promise were registered first, so they have run after this.
      await event.promise.then(() => undefined);
    },
    [FORM, handle, variantId] as const,
  );

describe.each(THEMES)("backorder notice on the %s product page", (theme) => {
  async function storefront(options: Partial<Parameters<typeof startStorefront>[0]> = {}, product: StorefrontProduct = LINEN_SHIRT) {
    const s = await startStorefront({ theme, loadProduct: (h) => (h === product.handle ? product : null), ...options });
    storefronts.push(s);
    return s;
  }

  async function open(s: Storefront, query = "", context: { newPage(): Promise<Page> } = browser): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${s.url}/products/linen-shirt${query}`);
    // The themes' and our scripts are deferred (or modules): wait until the picker exists.
    await page.waitForFunction((tag) => customElements.get(tag), PICKER[theme]);
    return page;
  }

  /** Clicks a size; the themes set the form's `id` last (Horizon-like: after the event's listeners ran). */
  async function pick(page: Page, size: string) {
    await page.locator(`${PICKER[theme]} label`, { hasText: new RegExp(`^\\s*${size}\\s*$`) }).click();
    await page.waitForFunction(([form, id]) => (document.querySelector(`${form} input[name="id"]`) as HTMLInputElement).value === id, [
      FORM,
      idOf(size),
    ] as const);
  }

  /** Adds to cart through the theme's product form: Dawn-like goes to the cart page, Horizon-like stays. */
  async function addToCart(s: Storefront, page: Page) {
    if (theme === "dawn-like") await Promise.all([page.waitForURL(`${s.url}/cart`), page.locator('button[name="add"]').click()]);
    else {
      await page.locator('button[name="add"]').click();
      await page.locator("[data-cart-status]", { hasText: "Added to cart" }).waitFor();
    }
  }

  it("says nothing for an in-stock variant and sends no promise", async () => {
    const page = await open(await storefront());
    expect(await page.locator(`${FORM} input[name="id"]`).inputValue()).toBe(S);
    expect(await noticeText(page)).toBe("");
    expect(await property(page)).toBeNull();
    await page.close();
  });

  it("renders the backorder date server-side for a backorderable variant", async () => {
    const s = await storefront();
    const html = await (await fetch(`${s.url}/products/linen-shirt?variant=${M}`)).text();
    expect(html).toContain(
      `<p class="bq-notice__text" role="status" aria-live="polite"><span class="bq-notice__backorder">${BACKORDER_TEXT}</span></p>`,
    );
    const page = await open(s, `?variant=${M}`);
    expect(await noticeText(page)).toBe(BACKORDER_TEXT);
    expect(await property(page)).toBe("2026-12-16");
    await page.close();
  });

  it("shows sold-out wording when the limit is reached", async () => {
    const page = await open(await storefront(), `?variant=${L}`);
    expect(await noticeText(page)).toBe("Sold out");
    expect(await property(page)).toBeNull();
    await page.close();
  });

  it("switches the text with the variant picker, without layout shift", async () => {
    const page = await open(await storefront());
    const buttonTop = () => page.locator('button[name="add"]').evaluate((b) => b.getBoundingClientRect().top);
    const before = await buttonTop();
    await pick(page, "M");
    expect(await noticeText(page)).toBe(BACKORDER_TEXT);
    expect(await property(page)).toBe("2026-12-16");
    expect(await buttonTop()).toBe(before);
    await pick(page, "L");
    expect(await noticeText(page)).toBe("Sold out");
    expect(await property(page)).toBeNull();
    await pick(page, "XL");
    expect(await noticeText(page)).toBe("");
    await pick(page, "S");
    expect(await noticeText(page)).toBe("");
    expect(await buttonTop()).toBe(before);
    await page.close();
  });

  it("labels the add-to-cart button while the selected variant is on backorder, and gives the theme's label back", async () => {
    const page = await open(await storefront(), `?variant=${M}`);
    expect(await buttonText(page)).toBe("Backorder");
    // The themes rewrite the label after (Dawn-like) or long after (Horizon-like) announcing the variant.
    for (const [size, label] of [
      ["S", "Add to cart"],
      ["M", "Backorder"],
      ["L", "Sold out"],
      ["M", "Backorder"],
      ["XL", "Add to cart"],
    ] as const) {
      await pick(page, size);
      await page.waitForFunction(([form, label]) => (document.querySelector(`${form} [name="add"]`) as HTMLElement).innerText === label, [
        FORM,
        label,
      ] as const);
      expect(await buttonText(page), size).toBe(label);
    }
    // Horizon-like keeps the label in its own nested span: the markup stays the theme's.
    expect(await page.locator('button[name="add"] span').count()).toBe(theme === "dawn-like" ? 1 : 2);
    await page.close();
  });

  it("follows shopify:product:select with the button label too", async () => {
    const page = await open(await storefront());
    await announce(page, "linen-shirt", M);
    expect(await buttonText(page)).toBe("Backorder");
    await announce(page, "another-product", S);
    expect(await buttonText(page)).toBe("Backorder");
    await announce(page, "linen-shirt", S);
    expect(await buttonText(page)).toBe("Add to cart");
    await page.close();
  });

  it("takes the merchant's button wording, else the storefront language's", async () => {
    const page = await open(await storefront({ blockSettings: { button_text: "Order now <i>, ship later" } }), `?variant=${M}`);
    expect(await buttonText(page)).toBe("Order now <i>, ship later");
    expect(await page.locator('button[name="add"] i').count()).toBe(0);
    await page.close();
    for (const [locale, label] of [
      ["fr", "Précommander"],
      ["de", "Nachbestellen"],
      ["es", "Comprar bajo pedido"],
    ] as const) {
      const translated = await open(await storefront({ locale }), `?variant=${M}`);
      expect(await buttonText(translated), locale).toBe(label);
      await translated.close();
    }
  });

  it("offers the in-stock variants while the selected one is on backorder", async () => {
    const s = await storefront();
    const page = await open(s, `?variant=${M}`);
    // S is in stock, XL has no status yet (in stock); L is sold out and M is the one on backorder.
    const links = [`S /products/linen-shirt?variant=${S}`, `XL /products/linen-shirt?variant=${idOf("XL")}`];
    expect(await alternatives(page)).toEqual([{ links, visible: true }]);
    expect(await page.locator(".bq-notice__alternatives").innerText()).toBe("In stock now: S, XL");
    await pick(page, "L");
    expect(await alternatives(page)).toEqual([{ links, visible: false }]);
    await pick(page, "M");
    expect(await alternatives(page)).toEqual([{ links, visible: true }]);
    await Promise.all([
      page.waitForURL(`${s.url}/products/linen-shirt?variant=${S}`),
      page.locator(".bq-notice__alternatives a").first().click(),
    ]);
    expect(await page.locator(`${FORM} input[name="id"]`).inputValue()).toBe(S);
    expect(await buttonText(page)).toBe("Add to cart");
    expect(await alternatives(page)).toEqual([{ links, visible: false }]);
    await page.close();
  });

  it("leaves the alternatives out when the merchant switches them off, or when nothing is in stock", async () => {
    const off = await open(await storefront({ blockSettings: { show_alternatives: false } }), `?variant=${M}`);
    expect(await alternatives(off)).toEqual([]);
    expect(await buttonText(off)).toBe("Backorder");
    await off.close();
    const noneInStock: StorefrontProduct = { ...LINEN_SHIRT, variants: LINEN_SHIRT.variants.filter((v) => v.id === M || v.id === L) };
    const page = await open(await storefront({}, noneInStock), `?variant=${M}`);
    expect(await alternatives(page)).toEqual([]);
    await page.close();
  });

  it("without JavaScript: the notice, date and alternatives are in the HTML and the button keeps the theme's label", async () => {
    const s = await storefront();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${s.url}/products/linen-shirt?variant=${M}`);
    expect(await noticeText(page)).toBe(BACKORDER_TEXT);
    expect(await buttonText(page)).toBe("Add to cart");
    expect((await alternatives(page))[0]?.visible).toBe(true);
    await page.locator(".bq-notice__alternatives a", { hasText: "XL" }).click();
    expect(page.url()).toBe(`${s.url}/products/linen-shirt?variant=${idOf("XL")}`);
    expect(await noticeText(page)).toBe("");
    expect((await alternatives(page))[0]?.visible).toBe(false);
    await context.close();
  });

  it("puts the selected variant's promised date on the cart line through the theme's product form", async () => {
    const s = await storefront();
    const page = await open(s);
    await pick(page, "M");
    await addToCart(s, page);
    await page.close();
    const again = await open(s);
    await pick(again, "M");
    await pick(again, "S");
    await addToCart(s, again);
    expect(s.cart).toEqual([
      { id: M, quantity: 1, properties: { "Backorder ships": "2026-12-16" } },
      { id: S, quantity: 1, properties: {} },
    ]);
    await again.close();
  });

  it("promises no date without the script, which alone keeps the date in step with the variant", async () => {
    const s = await storefront();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${s.url}/products/linen-shirt?variant=${M}`);
    expect(await noticeText(page)).toBe(BACKORDER_TEXT);
    expect(await property(page)).toBeNull();
    await context.close();
  });

  it("makes no request beyond the storefront's own page and assets", async () => {
    const s = await storefront();
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`${s.url}/products/linen-shirt?variant=${M}`, { waitUntil: "networkidle" });
    expect(requests.every((u) => u.startsWith(s.url))).toBe(true);
    expect(requests.filter((u) => !u.includes("/cdn/"))).toEqual([`${s.url}/products/linen-shirt?variant=${M}`]);
    expect(requests.filter((u) => u.includes("/cdn/extensions/"))).toHaveLength(2);
    await page.close();
  });

  it("uses the merchant's text, colours and date format from the theme editor", async () => {
    const s = await storefront({ blockSettings: { backorder_text: "Ships {date} <b>", date_format: "%d/%m/%Y", text_color: "#1a1a1a" } });
    const page = await open(s);
    await pick(page, "M");
    expect(await noticeText(page)).toBe("Ships 16/12/2026 <b>");
    expect(await page.locator("[data-bq-notice] .bq-notice__text > span").evaluate((e) => getComputedStyle(e).color)).toBe(
      "rgb(26, 26, 26)",
    );
    await page.close();
  });

  it("writes the day unpadded after a month name and zero-padded in numeric formats, for every option", async () => {
    const shown: Record<string, string> = {
      "%b %-d, %Y": "Dec 8, 2026",
      "%B %-d": "December 8",
      "%d/%m/%Y": "08/12/2026",
      "%m/%d/%Y": "12/08/2026",
      "%d.%m.%Y": "08.12.2026",
      "%Y-%m-%d": "2026-12-08",
    };
    // Both blocks offer exactly these formats, and default to the first.
    for (const file of ["backorder-notice", "backorder-embed"]) {
      const liquid = fs.readFileSync(`extensions/backorder-notice/blocks/${file}.liquid`, "utf8");
      const setting = (
        JSON.parse(/\{% schema %\}([\s\S]*)\{% endschema %\}/.exec(liquid)![1]!) as {
          settings: { id: string; default?: string; options?: { value: string }[] }[];
        }
      ).settings.find((x) => x.id === "date_format")!;
      expect(
        setting.options!.map((o) => o.value),
        file,
      ).toEqual(Object.keys(shown));
      expect(setting.default, file).toBe("%b %-d, %Y");
    }
    const product: StorefrontProduct = {
      ...LINEN_SHIRT,
      variants: LINEN_SHIRT.variants.map((v) => (v.id === M ? { ...v, metafieldStatus: { ...v.metafieldStatus!, eta: "2026-12-08" } } : v)),
    };
    for (const [format, date] of [[undefined, "Dec 8, 2026"], ...Object.entries(shown)] as const) {
      const s = await storefront(format ? { blockSettings: { date_format: format } } : {}, product);
      const html = await (await fetch(`${s.url}/products/linen-shirt?variant=${M}`)).text();
      expect(html, format).toContain(`>Available for backorder — ships ~${date}</span></p>`);
    }
  });

  it("prefers the app's own message, and speaks the storefront's language", async () => {
    const product: StorefrontProduct = {
      ...LINEN_SHIRT,
      variants: LINEN_SHIRT.variants.map((v) =>
        v.id === M ? { ...v, metafieldStatus: { ...v.metafieldStatus!, message: "Pre-order: {date}" } } : v,
      ),
    };
    const page = await open(await storefront({}, product), `?variant=${M}`);
    expect(await noticeText(page)).toBe("Pre-order: Dec 16, 2026");
    await page.close();

    const fr = await open(await storefront({ locale: "fr", blockSettings: { date_format: "%d/%m/%Y" } }), `?variant=${M}`);
    expect(await noticeText(fr)).toBe("Disponible en précommande — expédition vers le 16/12/2026");
    await pick(fr, "L");
    expect(await noticeText(fr)).toBe("Épuisé");
    await fr.close();
  });

  it("works as an app embed on themes without app blocks", async () => {
    const s = await storefront({ appBlock: false, appEmbed: true });
    const page = await open(s);
    // The embed moved itself into the product form, above the buttons.
    expect(await page.locator(`${FORM} [data-bq-notice]`).count()).toBe(1);
    await pick(page, "M");
    expect(await noticeText(page)).toBe(BACKORDER_TEXT);
    expect(await buttonText(page)).toBe("Backorder");
    await addToCart(s, page);
    expect(s.cart).toEqual([{ id: M, quantity: 1, properties: { "Backorder ships": "2026-12-16" } }]);
    await page.close();
  });

  it("keeps a single notice when both the block and the embed are on", async () => {
    const page = await open(await storefront({ appEmbed: true }), `?variant=${M}`);
    expect(await page.locator("[data-bq-notice]").count()).toBe(1);
    expect(await noticeText(page)).toBe(BACKORDER_TEXT);
    await page.close();
  });
  it("follows the theme's own announcement of the variant", async () => {
    const page = await open(await storefront());
    await page.evaluate((form) => {
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      document.querySelector(form)!.addEventListener("change", (e) => seen.push(`change ${(e.target as HTMLInputElement).name}`));
      document.addEventListener("shopify:product:select", (e) => {
        const { product, selectedOptions, promise } = e as Event & {
          product: { handle: string };
          selectedOptions: { name: string; value: string }[];
          promise: Promise<{ variant: { id: string } | null }>;
        };
        seen.push(`select ${product.handle} ${selectedOptions.map((o) => `${o.name}=${o.value}`).join()}`);
        void promise.then((r) => seen.push(`variant ${r.variant?.id}`));
      });
    }, FORM);
    await pick(page, "M");
    expect(await noticeText(page)).toBe(BACKORDER_TEXT);
    expect(await property(page)).toBe("2026-12-16");
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    // Dawn: `change` on the form's `id`, no standard event. Horizon: the standard event, no `change`.
    expect(seen).toEqual(
      theme === "dawn-like" ? ["change id"] : ["select linen-shirt Size=M", `variant gid://shopify/ProductVariant/${M}`],
    );
    await page.close();
  });

  it("follows shopify:product:select for its own product only, and shows nothing for a combination without a variant", async () => {
    const page = await open(await storefront());
    await announce(page, "another-product", M);
    expect(await noticeText(page)).toBe("");
    expect(await property(page)).toBeNull();
    await announce(page, "linen-shirt", M);
    expect(await noticeText(page)).toBe(BACKORDER_TEXT);
    expect(await property(page)).toBe("2026-12-16");
    await announce(page, "linen-shirt", L);
    expect(await noticeText(page)).toBe("Sold out");
    await announce(page, "linen-shirt", M);
    await announce(page, "linen-shirt", null);
    expect(await noticeText(page)).toBe("");
    expect(await property(page)).toBeNull();
    await page.close();
  });
  it("keeps the product's handle inside the notice's data-product attribute", async () => {
    const handle = 'shirt" onmouseover="window.__pwned=1';
    const html = await new StorefrontRenderer({ origin: "http://127.0.0.1", theme, appEmbed: true }).renderPage(
      { ...LINEN_SHIRT, handle },
      M,
    );
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.setContent(html);
    expect(await page.locator("[onmouseover]").count()).toBe(0);
    expect(await page.locator("[data-bq-notice]").evaluateAll((notices) => notices.map((n) => n.getAttribute("data-product")))).toEqual([
      handle,
      handle,
    ]);
    await context.close();
  });
  it("shows the latest pick when an earlier pick's lookup resolves after it", async () => {
    const page = await open(await storefront());
    const text = await page.evaluate(async (selector) => {
      const form = document.querySelector(selector)!;
      const select = (variantId: string) => {
        let resolve!: () => void;
        const promise = new Promise<{ variant: { id: string } }>(
          (r) => (resolve = () => r({ variant: { id: `gid://shopify/ProductVariant/${variantId}` } })),
        );
        form.dispatchEvent(
          Object.assign(new Event("shopify:product:select", { bubbles: true }), {
            product: { handle: "linen-shirt" },
            selectedOptions: [],
            promise,
          }),
        );
        return { promise, resolve };
      };
      const first = select("41002");
      const second = select("41001");
      second.resolve();
      await second.promise;
      first.resolve();
      await first.promise;
      return document.querySelector("[data-bq-notice] .bq-notice__text")!.textContent;
    }, FORM);
    expect(text).toBe("");
    expect(await property(page)).toBeNull();
    await page.close();
  });
});
