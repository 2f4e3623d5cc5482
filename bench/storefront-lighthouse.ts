// `npx tsx bench/storefront-lighthouse.ts` (RUNS=5): Lighthouse 12 (performance category,
// its default simulated mobile throttling) on the fixture themes' product page and cart page,
// with the app's block and embed on and off, in the same run and the same Chromium
// (/usr/bin/chromium through chrome-launcher), on/off runs alternating; medians per case.
// Also: the JavaScript the app adds (gzip -9, as a CDN serves it) and the requests the
// pages make to anything but the storefront (the app included): both counted, never assumed.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import * as chromeLauncher from "chrome-launcher";
import { transformSync } from "esbuild";
import lighthouse from "lighthouse";
import { startStorefront, type Storefront } from "../dev/storefront/server.ts";
import { LINEN_SHIRT } from "../dev/storefront/fixture-product.ts";
import { EXTENSION_ROOT, THEMES } from "../dev/storefront/render.ts";
import { CHROMIUM_FLAGS } from "../test/storefront/browser.ts";

const RUNS = Number(process.env.RUNS ?? 5);
const [S, M] = LINEN_SHIRT.variants.map((v) => v.id) as [string, string];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const asset = (file: string) => fs.readFileSync(path.join(EXTENSION_ROOT, "assets", file), "utf8");
const gzip = (text: string) => zlib.gzipSync(text, { level: 9 }).length;
// What a minified build of the same script would ship (the asset is shipped readable: issue 12).
const minified = transformSync(asset("backorder-notice.js"), { minify: true, target: "es2020" }).code;

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  chromeFlags: [...CHROMIUM_FLAGS.filter((f) => f !== "--headless"), "--headless=new"],
});

interface Sample {
  score: number;
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  bytes: number;
  requests: number;
  elsewhere: number;
  extensionJs: number;
}

async function measure(s: Storefront, pathname: string): Promise<Sample> {
  const result = await lighthouse(`${s.url}${pathname}`, {
    port: chrome.port,
    output: "json",
    logLevel: "error",
    onlyCategories: ["performance"],
  });
  const lhr = result!.lhr;
  const audit = (id: string) => lhr.audits[id]!.numericValue ?? NaN;
  const requests = (lhr.audits["network-requests"]!.details as { items: { url: string }[] }).items;
  return {
    score: (lhr.categories.performance!.score ?? 0) * 100,
    fcp: audit("first-contentful-paint"),
    lcp: audit("largest-contentful-paint"),
    tbt: audit("total-blocking-time"),
    cls: audit("cumulative-layout-shift"),
    bytes: audit("total-byte-weight"),
    requests: requests.length,
    elsewhere: requests.filter((r) => !r.url.startsWith(s.url)).length,
    extensionJs: requests.filter((r) => r.url.includes("/cdn/extensions/") && r.url.endsWith(".js")).length,
  };
}

const rows: string[] = [];
for (const theme of THEMES) {
  const start = (on: boolean) =>
    startStorefront({
      theme,
      cartType: "drawer",
      appBlock: on,
      appEmbed: on,
      shipping: { v: 1, hold: "lines" },
      products: [LINEN_SHIRT],
      loadProduct: (h) => (h === LINEN_SHIRT.handle ? LINEN_SHIRT : null),
    });
  const on = await start(true);
  const off = await start(false);
  for (const s of [on, off])
    s.cart.push({ id: M, quantity: 1, properties: { "Backorder ships": "2026-12-16" } }, { id: S, quantity: 1, properties: {} });
  for (const [page, pathname] of [
    ["product", `/products/linen-shirt?variant=${M}`],
    ["cart", "/cart"],
  ] as const) {
    const samples: Record<"on" | "off", Sample[]> = { on: [], off: [] };
    for (let i = 0; i < RUNS; i++) {
      samples.on.push(await measure(on, pathname));
      samples.off.push(await measure(off, pathname));
    }
    const m = (k: "on" | "off", f: keyof Sample) => median(samples[k].map((x) => x[f]));
    for (const k of ["off", "on"] as const) {
      rows.push(
        `| ${theme} | ${page} | ${k} | ${m(k, "score")} | ${Math.round(m(k, "fcp"))} | ${Math.round(m(k, "lcp"))} | ${Math.round(m(k, "tbt"))} | ${m(k, "cls").toFixed(3)} | ${m(k, "bytes")} | ${m(k, "requests")} | ${m(k, "elsewhere")} |`,
      );
    }
    rows.push(
      `| ${theme} | ${page} | on/off | ${(m("on", "score") / m("off", "score")).toFixed(2)} | ${(m("on", "fcp") / m("off", "fcp")).toFixed(2)} | ${(m("on", "lcp") / m("off", "lcp")).toFixed(2)} | | | +${m("on", "bytes") - m("off", "bytes")} B | +${m("on", "requests") - m("off", "requests")} | |`,
    );
  }
  await on.close();
  await off.close();
}
chrome.kill();

console.log(`Lighthouse ${(await import("lighthouse/package.json", { with: { type: "json" } })).default.version}, ${RUNS} runs per case, medians.
App JavaScript: backorder-notice.js ${asset("backorder-notice.js").length} B raw, ${gzip(asset("backorder-notice.js"))} B gzip as shipped (readable; block and embed share it), ${minified.length} B raw, ${gzip(minified)} B gzip minified; CSS ${gzip(asset("backorder-notice.css"))} B gzip.

| theme | page | app | score | FCP ms | LCP ms | TBT ms | CLS | bytes | requests | not to the storefront |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}`);
