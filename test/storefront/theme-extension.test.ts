// The theme app extension as Shopify would receive it: theme-check clean (which also holds
// its script to Shopify's size budget), every string in every language, and the app's
// JavaScript within issue 15's budget: 1 KB gzip for all of it, shipped as written.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
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

  it("ships at most 1 KB (gzip -9) of JavaScript in all, readable as written", () => {
    const scripts = fs.globSync("extensions/*/assets/*.js");
    expect(scripts.map((file) => path.basename(file))).toEqual(["backorder-notice.js"]);
    const gzipped = scripts.reduce((sum, file) => sum + zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length, 0);
    expect(gzipped).toBeLessThanOrEqual(1024);
    // Not a minified copy: one statement a line, no line past Prettier's width.
    for (const file of scripts) {
      const lines = fs.readFileSync(file, "utf8").split("\n");
      expect(lines.length, file).toBeGreaterThan(30);
      expect(Math.max(...lines.map((line) => line.length)), file).toBeLessThanOrEqual(140);
    }
  });
});
