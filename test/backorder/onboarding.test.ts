// The guide's reading of theme files: the app's block and embed are found wherever a theme
// puts them, with or without Shopify's comment header, and never when switched off, in a
// disabled section, or another app's.
import fs from "node:fs";
import fc from "fast-check";
import toml from "toml";
import { describe, expect, it } from "vitest";
import {
  APP_EMBED_HANDLE,
  APP_HANDLE,
  PRODUCT_BLOCK_HANDLE,
  allStepsDone,
  isAppBlockType,
  onboardingSteps,
  parseThemeJson,
  settingsHaveAppEmbed,
  templateHasAppBlock,
  themeEditorLinks,
} from "../../app/backorder/onboarding.ts";

const UUID = "0b7c8d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e";
const ours = (handle: string) => `shopify://apps/${APP_HANDLE}/blocks/${handle}/${UUID}`;
const HEADER = "/*\n * IMPORTANT: The contents of this file are auto-generated.\n */\n";

const template = (blocks: Record<string, unknown>, section: Record<string, unknown> = {}) =>
  JSON.stringify({ sections: { main: { type: "main-product", blocks, ...section } }, order: ["main"] });

describe("constants", () => {
  it("name the app's handle and the extension's block files", () => {
    const app = toml.parse(fs.readFileSync("shopify.app.toml", "utf8")) as { handle: string };
    expect(APP_HANDLE).toBe(app.handle);
    for (const handle of [PRODUCT_BLOCK_HANDLE, APP_EMBED_HANDLE]) {
      expect(fs.existsSync(`extensions/backorder-notice/blocks/${handle}.liquid`)).toBe(true);
    }
  });
});

describe("product template", () => {
  it("finds the block among the theme's own, in any section, with or without the comment header", () => {
    const blockKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== "__proto__");
    fc.assert(
      fc.property(
        fc.uniqueArray(blockKey, { minLength: 0, maxLength: 6 }),
        fc.nat(),
        fc.boolean(),
        fc.constantFrom("main", "apps-1", "product-extra"),
        (keys, at, header, sectionKey) => {
          const entries = keys.map((k) => [k, { type: "text", settings: {} }] as [string, unknown]);
          entries.splice(at % (entries.length + 1), 0, ["app-block", { type: ours(PRODUCT_BLOCK_HANDLE), settings: {} }]);
          const json = JSON.stringify({
            sections: { other: { type: "related-products" }, [sectionKey]: { type: "main-product", blocks: Object.fromEntries(entries) } },
          });
          return templateHasAppBlock((header ? HEADER : "") + json) === true;
        },
      ),
    );
  });

  it("does not count a disabled block, a disabled section, the embed, or another app's block of that name", () => {
    expect(templateHasAppBlock(template({ a: { type: ours(PRODUCT_BLOCK_HANDLE), disabled: true } }))).toBe(false);
    expect(templateHasAppBlock(template({ a: { type: ours(PRODUCT_BLOCK_HANDLE) } }, { disabled: true }))).toBe(false);
    expect(templateHasAppBlock(template({ a: { type: ours(APP_EMBED_HANDLE) } }))).toBe(false);
    expect(templateHasAppBlock(template({ a: { type: `shopify://apps/other-app/blocks/${PRODUCT_BLOCK_HANDLE}/${UUID}` } }))).toBe(false);
    expect(templateHasAppBlock(template({ a: { type: "title" } }))).toBe(false);
  });

  it("reads a missing or broken file as not done", () => {
    expect(templateHasAppBlock("")).toBe(false);
    expect(templateHasAppBlock("{ not json")).toBe(false);
    expect(templateHasAppBlock(JSON.stringify({ sections: null }))).toBe(false);
    expect(parseThemeJson(HEADER + "[1]")).toEqual([1]);
  });
});

describe("theme settings", () => {
  const settings = (blocks: Record<string, unknown>) => JSON.stringify({ current: { blocks } });

  it("finds the embed switched on, and only then", () => {
    expect(settingsHaveAppEmbed(HEADER + settings({ "1234": { type: ours(APP_EMBED_HANDLE), disabled: false } }))).toBe(true);
    expect(settingsHaveAppEmbed(settings({ "1234": { type: ours(APP_EMBED_HANDLE) } }))).toBe(true);
    expect(settingsHaveAppEmbed(settings({ "1234": { type: ours(APP_EMBED_HANDLE), disabled: true } }))).toBe(false);
    expect(settingsHaveAppEmbed(settings({ "1234": { type: ours(PRODUCT_BLOCK_HANDLE) } }))).toBe(false);
    expect(settingsHaveAppEmbed(settings({}))).toBe(false);
    expect(settingsHaveAppEmbed(JSON.stringify({ current: "Default" }))).toBe(false);
  });

  it("follows `current` when it names a preset", () => {
    const json = JSON.stringify({
      current: "Bold",
      presets: { Bold: { blocks: { x: { type: ours(APP_EMBED_HANDLE), disabled: false } } } },
    });
    expect(settingsHaveAppEmbed(json)).toBe(true);
  });
});

describe("block types", () => {
  it("match only this app's handle and the block's handle, any extension id", () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) =>
        isAppBlockType(`shopify://apps/${APP_HANDLE}/blocks/${PRODUCT_BLOCK_HANDLE}/${uuid}`, PRODUCT_BLOCK_HANDLE),
      ),
    );
    expect(isAppBlockType(`shopify://apps/${APP_HANDLE}/blocks/${PRODUCT_BLOCK_HANDLE}`, PRODUCT_BLOCK_HANDLE)).toBe(false);
    expect(isAppBlockType(42, PRODUCT_BLOCK_HANDLE)).toBe(false);
  });
});

describe("steps and links", () => {
  it("are done only when every fact says so; an unread theme is never done", () => {
    fc.assert(
      fc.property(
        fc.option(fc.boolean()),
        fc.option(fc.boolean()),
        fc.nat(3),
        fc.nat(3),
        (productBlock, appEmbed, enabledVariants, datedVariants) => {
          const steps = onboardingSteps({ productBlock, appEmbed, enabledVariants, datedVariants });
          expect(steps.map((s) => s.id)).toEqual(["product-block", "app-embed", "variants", "restock-date"]);
          expect(allStepsDone(steps)).toBe(productBlock === true && appEmbed === true && enabledVariants > 0 && datedVariants > 0);
        },
      ),
    );
  });

  it("open the theme editor as Shopify documents the deep links", () => {
    const links = themeEditorLinks("shop-a.myshopify.com", "abc123");
    expect(links.productBlock).toBe(
      "https://shop-a.myshopify.com/admin/themes/current/editor?template=product&addAppBlockId=abc123/backorder-notice&target=mainSection",
    );
    expect(links.appEmbed).toBe(
      "https://shop-a.myshopify.com/admin/themes/current/editor?context=apps&template=product&activateAppId=abc123/backorder-embed",
    );
  });
});
