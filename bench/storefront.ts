// `npm run bench:storefront` (npx tsx bench/storefront.ts): the storefront cost of the
// backorder notice. Sizes of the extension's assets (raw and gzip -9), the bytes the
// notice adds to the product page's HTML, and the requests headless Chromium makes for
// the Dawn-like fixture theme's product page (none may go to the app).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { startStorefront } from "../dev/storefront/server.ts";
import { LINEN_SHIRT } from "../dev/storefront/fixture-product.ts";
import { EXTENSION_ROOT } from "../dev/storefront/render.ts";
import { launchChromium } from "../test/storefront/browser.ts";

const size = (file: string) => {
  const buf = fs.readFileSync(path.join(EXTENSION_ROOT, "assets", file));
  return { raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length };
};
const js = size("backorder-notice.js");
const css = size("backorder-notice.css");

const withNotice = await startStorefront({ loadProduct: () => LINEN_SHIRT });
const without = await startStorefront({ loadProduct: () => LINEN_SHIRT, appBlock: false });
const page = `/products/${LINEN_SHIRT.handle}?variant=${LINEN_SHIRT.variants[1]!.id}`;
const htmlWith = (await (await fetch(withNotice.url + page)).text()).length;
const htmlWithout = (await (await fetch(without.url + page)).text()).length;

const browser = await launchChromium();
const tab = await browser.newPage();
const requests: string[] = [];
tab.on("request", (r) => requests.push(r.url()));
await tab.goto(withNotice.url + page, { waitUntil: "networkidle" });
await browser.close();
await withNotice.close();
await without.close();

const ext = requests.filter((u) => u.includes("/cdn/extensions/"));
const foreign = requests.filter((u) => !u.startsWith(withNotice.url));
console.log(`| measure | value |
| --- | --- |
| backorder-notice.js | ${js.raw} B raw, ${js.gzip} B gzip |
| backorder-notice.css | ${css.raw} B raw, ${css.gzip} B gzip |
| HTML added to the product page (4 variants) | ${htmlWith - htmlWithout} B |
| requests for the product page (Chromium) | ${requests.length} |
| of which the extension's assets | ${ext.length} |
| of which to the app or any other origin | ${foreign.length} |`);
