// The theme app extension as Shopify would receive it: theme-check clean, and the
// shipped script is the build of its readable source.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { themeCheckOffenses } from "../../dev/storefront/theme-check.ts";
import { buildNoticeScript, NOTICE_ASSET } from "../../dev/storefront/build-notice-script.ts";

describe("extensions/backorder-notice", () => {
  it("passes Shopify's theme-check", async () => {
    expect(await themeCheckOffenses()).toEqual([]);
  });

  it("ships the minified build of dev/storefront/notice-script.js (run `npm run build:theme`)", async () => {
    expect(fs.readFileSync(NOTICE_ASSET, "utf8")).toBe(await buildNoticeScript());
  });

  it("has every storefront string in each shipped language", () => {
    const keys = (file: string) => Object.keys((JSON.parse(fs.readFileSync(`extensions/backorder-notice/locales/${file}`, "utf8")) as { backorder: object }).backorder).sort();
    const english = keys("en.default.json");
    for (const lang of ["fr", "de", "es"]) expect(keys(`${lang}.json`), lang).toEqual(english);
  });
});
