// The theme app extension as Shopify would receive it: theme-check clean (which also holds
// its script to Shopify's size budget), every string in every language.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { themeCheckOffenses } from "../../dev/storefront/theme-check.ts";

describe("extensions/backorder-notice", () => {
  it("passes Shopify's theme-check", async () => {
    expect(await themeCheckOffenses()).toEqual([]);
  });

  it("has every storefront string in each shipped language", () => {
    const keys = (file: string) =>
      Object.keys(
        (JSON.parse(fs.readFileSync(`extensions/backorder-notice/locales/${file}`, "utf8")) as { backorder: object }).backorder,
      ).sort();
    const english = keys("en.default.json");
    for (const lang of ["fr", "de", "es"]) expect(keys(`${lang}.json`), lang).toEqual(english);
  });
});
