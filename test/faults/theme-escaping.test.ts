// The theme block with hostile metafield values (anyone who can write the variant's
// `$app.backorder_status`, or a bug upstream): rendered with liquidjs as the storefront
// renders it, then parsed by a real browser with scripts off, so the assertions are about
// the DOM a shopper's browser would build: no injected element or attribute, the class a
// known token, the script's JSON still parsing to the same data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { StorefrontStatus } from "../../app/backorder/storefront-status.ts";
import { StorefrontRenderer, type StorefrontProduct } from "../../dev/storefront/render.ts";
import { launchChromium } from "../storefront/browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const HOSTILE_ETAS = [
  '"><img src=x onerror="window.__pwned=1">',
  "</script><script>window.__pwned=1</script>",
  '2026-12-16" autofocus onfocus="window.__pwned=1',
  "<!--<script>",
  "2026-1<b>x",
];
const HOSTILE_STATES = [
  'backorder" onmouseover="window.__pwned=1',
  "backorder injected-class",
  "sold_out><img src=x>",
  "<script>window.__pwned=1</script>",
];

function product(statuses: StorefrontStatus[]): StorefrontProduct {
  return {
    title: "Hostile shirt",
    handle: "hostile-shirt",
    options: ["Size"],
    variants: statuses.map((s, i) => ({
      id: String(51000 + i),
      title: `V${i}`,
      price: 4500,
      available: false,
      options: [`V${i}`],
      metafieldStatus: s,
    })),
  };
}
const backorder = (eta: string, message: string | null = null): StorefrontStatus => ({
  v: 1,
  state: "backorder",
  eta,
  remaining: null,
  message,
});
// A state outside the three the app writes: the type says what the app writes, not what a metafield can hold.
const withState = (state: string): StorefrontStatus => ({
  v: 1,
  state: state as StorefrontStatus["state"],
  eta: "2026-12-16",
  remaining: null,
  message: null,
});

/** The rendered block's section in a browser that runs no script, as a shopper's browser would parse it. */
async function parsed(p: StorefrontProduct, selected: string, embed = false): Promise<Page> {
  const renderer = new StorefrontRenderer({ origin: "http://127.0.0.1", appBlock: !embed, appEmbed: embed });
  const html = embed
    ? await renderer.renderPage(p, selected)
    : `<!doctype html><html><body>${await renderer.renderSection(p, selected)}</body></html>`;
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.setContent(html);
  return page;
}

interface NoticeDom {
  injected: number;
  scriptsInNotice: number;
  json: unknown;
  /** The script's text as written: JSON with every "<" as \u003c. */
  rawJson: string;
  jsonError: string | null;
  input: { attributes: string[]; value: string; disabled: boolean } | null;
  classes: string[];
  text: string;
}

const noticeDom = (page: Page) =>
  page.evaluate((): NoticeDom => {
    const notice = document.querySelector("[data-bq-notice]")!;
    const script = notice.querySelector('script[type="application/json"]');
    let json: unknown = null;
    let jsonError: string | null = null;
    try {
      json = JSON.parse(script?.textContent ?? "");
    } catch (e) {
      jsonError = String(e);
    }
    const input = notice.querySelector('input[type="hidden"]') as HTMLInputElement | null;
    return {
      injected: document.querySelectorAll("img, b, [onerror], [onfocus], [onmouseover], [autofocus]").length,
      scriptsInNotice: notice.querySelectorAll("script").length,
      json,
      rawJson: script?.textContent ?? "",
      jsonError,
      input: input && { attributes: input.getAttributeNames().sort(), value: input.value, disabled: input.disabled },
      classes: [...notice.querySelectorAll(".bq-notice__text span")].map((s) => s.className),
      text: (notice.querySelector(".bq-notice__text") as HTMLElement).innerText,
    };
  });

describe("theme block with hostile metafield values", () => {
  it.each(HOSTILE_ETAS)("eta %j: no element or attribute injected, no date promised, the JSON parses", async (eta) => {
    for (const embed of [false, true]) {
      const p = product([backorder(eta), backorder("2026-12-16"), backorder(eta, "Ships {date} </script><b>x</b>")]);
      const page = await parsed(p, p.variants[0]!.id, embed);
      const dom = await noticeDom(page);
      expect(dom.injected, embed ? "embed" : "block").toBe(0);
      expect(dom.scriptsInNotice).toBe(1);
      expect(dom.jsonError).toBeNull();
      expect(dom.rawJson).not.toContain("<");
      // Not a date: the shopper reads "as soon as possible" and the cart gets no promise.
      expect(dom.text).toBe("Available for backorder — ships ~as soon as possible");
      expect(dom.input).toEqual({ attributes: ["disabled", "name", "type", "value"], value: "", disabled: true });
      const [, good, messaged] = p.variants.map((v) => v.id);
      expect(dom.json).toEqual({
        [p.variants[0]!.id]: ['<span class="bq-notice__backorder">Available for backorder — ships ~as soon as possible</span>', ""],
        [good!]: ['<span class="bq-notice__backorder">Available for backorder — ships ~Dec 16, 2026</span>', "2026-12-16"],
        [messaged!]: ['<span class="bq-notice__backorder">Ships as soon as possible &lt;/script&gt;&lt;b&gt;x&lt;/b&gt;</span>', ""],
      });
      expect(dom.classes).toEqual(["bq-notice__backorder"]);
      await page.context().close();
    }
  });

  it.each(HOSTILE_STATES)("state %j: the class is one of the block's own tokens, nothing injected", async (state) => {
    const p = product([withState(state), backorder("2026-12-16")]);
    const page = await parsed(p, p.variants[0]!.id);
    const dom = await noticeDom(page);
    expect(dom.injected).toBe(0);
    expect(dom.scriptsInNotice).toBe(1);
    expect(dom.jsonError).toBeNull();
    // An unknown state says nothing (as in stock) and promises nothing.
    expect(dom.classes).toEqual([]);
    expect(dom.text).toBe("");
    expect(dom.input?.disabled).toBe(true);
    expect(Object.keys(dom.json as object)).toEqual([p.variants[1]!.id]);
    await page.context().close();
  });

  it("a real date still renders, is promised in the cart and sits in the JSON", async () => {
    const p = product([backorder("2026-12-16")]);
    const page = await parsed(p, p.variants[0]!.id);
    const dom = await noticeDom(page);
    expect(dom.text).toBe("Available for backorder — ships ~Dec 16, 2026");
    expect(dom.input).toEqual({ attributes: ["name", "type", "value"], value: "2026-12-16", disabled: false });
    expect(dom.json).toEqual({
      [p.variants[0]!.id]: ['<span class="bq-notice__backorder">Available for backorder — ships ~Dec 16, 2026</span>', "2026-12-16"],
    });
    await page.context().close();
  });
});
