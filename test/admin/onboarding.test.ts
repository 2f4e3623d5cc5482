// The first-run guide against the Admin API stand-in (Shopify's schema and scopes): the
// published theme is read through `themes`/`files`, at most once per THEME_CHECK_TTL_MS, and
// the guide follows the merchant's changes to the theme and to the variants.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayFactory } from "../../app/shopify/gateway.server.ts";
import { installOfflineSession } from "../../dev/admin-standin/install.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "../sync/harness.ts";
import { THEME_CHECK_TTL_MS, dismissOnboarding, loadOnboarding } from "../../app/admin/onboarding.server.ts";
import { APP_EMBED_HANDLE, APP_HANDLE, PRODUCT_BLOCK_HANDLE, parseThemeJson } from "../../app/backorder/onboarding.ts";
import type { StandinShop } from "../../dev/admin-standin/state.ts";

const SHOP = "onboarding.myshopify.com";
const OTHER = "onboarding-other.myshopify.com";
const UUID = "7d3f0c2a-4b1e-4c8d-9a6f-1e2d3c4b5a69";
let t: TestDatabase;
let h: Harness;
let other: Harness;

beforeAll(async () => {
  t = await createTestDatabase("admin_onboarding");
  h = await createHarness(t.db, SHOP);
  other = await createHarness(t.db, OTHER);
});
afterAll(async () => {
  await h?.close();
  await other?.close();
  await t?.drop();
});

const load = (hh: Harness, shop: string) =>
  loadOnboarding(t.db, shop, { gateway: () => hh.gateways(shop), apiKey: "key-1", now: hh.clock.date() });
const themeCalls = (hh: Harness) => hh.standin.calls.filter((c) => c.operationName === "MainThemeFiles").length;

/** Theme JSON as the test edits it: nested objects of blocks and settings. */
type ThemeJson = {
  sections: { main: { blocks: Record<string, unknown>; block_order?: string[] } };
  current: { blocks: Record<string, { type?: string; disabled?: boolean; settings?: unknown }> };
};

/** Edits a JSON file of the shop's published theme as the theme editor would save it. */
function editTheme(shop: StandinShop, file: string, edit: (json: ThemeJson) => void) {
  const theme = shop.themes.find((th) => th.role === "MAIN")!;
  const json = parseThemeJson(theme.files.get(file)!) as ThemeJson;
  edit(json);
  theme.files.set(file, JSON.stringify(json));
}

describe("first-run guide", () => {
  it("reads a fresh shop's theme once: nothing set up, with the theme editor's links", async () => {
    const guide = await load(h, SHOP);
    expect(guide).toMatchObject({
      themeName: "Dawn",
      themeError: null,
      steps: [
        { id: "product-block", done: false },
        { id: "app-embed", done: false },
        { id: "variants", done: false },
        { id: "restock-date", done: false },
      ],
    });
    expect(guide!.links.productBlock).toContain(
      `https://${SHOP}/admin/themes/current/editor?template=product&addAppBlockId=key-1/${PRODUCT_BLOCK_HANDLE}`,
    );
    expect(themeCalls(h)).toBe(1);
    expect(h.standin.calls.find((c) => c.operationName === "MainThemeFiles")!.requestedQueryCost).toBe(9);
    await load(h, SHOP);
    expect(themeCalls(h)).toBe(1);
  });

  it("sees the app block and the embed once the merchant saves them in the theme editor (after the cache runs out)", async () => {
    editTheme(h.shop, "templates/product.json", (j) => {
      j.sections.main.blocks["backorder_notice_X"] = {
        type: `shopify://apps/${APP_HANDLE}/blocks/${PRODUCT_BLOCK_HANDLE}/${UUID}`,
        settings: {},
      };
      j.sections.main.block_order = ["title", "backorder_notice_X", "buy_buttons"];
    });
    // The deep link adds the embed to settings_data.json; it counts once it is not disabled.
    editTheme(h.shop, "config/settings_data.json", (j) => {
      j.current.blocks["1708300000"] = {
        type: `shopify://apps/${APP_HANDLE}/blocks/${APP_EMBED_HANDLE}/${UUID}`,
        disabled: true,
        settings: {},
      };
    });
    expect((await load(h, SHOP))!.steps.slice(0, 2).map((s) => s.done)).toEqual([false, false]);

    h.clock.advance(THEME_CHECK_TTL_MS);
    expect((await load(h, SHOP))!.steps.slice(0, 2).map((s) => s.done)).toEqual([true, false]);
    expect(themeCalls(h)).toBe(2);

    editTheme(h.shop, "config/settings_data.json", (j) => {
      j.current.blocks["1708300000"]!.disabled = false;
    });
    h.clock.advance(THEME_CHECK_TTL_MS);
    expect((await load(h, SHOP))!.steps.slice(0, 2).map((s) => s.done)).toEqual([true, true]);
  });

  it("counts the variant steps from the shop's own settings only, and hides when all is done", async () => {
    await t.db.variantPolicy.create({
      data: { shop: OTHER, variantId: "gid://shopify/ProductVariant/9", enabled: true, restockDate: new Date("2027-01-04") },
    });
    expect((await load(h, SHOP))!.steps.slice(2).map((s) => s.done)).toEqual([false, false]);

    await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: "gid://shopify/ProductVariant/1", enabled: true } });
    expect((await load(h, SHOP))!.steps.slice(2).map((s) => s.done)).toEqual([true, false]);

    await t.db.incomingBatch.create({
      data: { shop: SHOP, variantId: "gid://shopify/ProductVariant/1", arrivesOn: new Date("2027-01-11"), quantity: 5 },
    });
    expect(await load(h, SHOP)).toBeNull();
  });

  it("shows the theme steps as not checked when the app may not read themes, and asks again after the cache runs out", async () => {
    other.shop.grantedScopes.delete("read_themes");
    const guide = await load(other, OTHER);
    expect(guide!.steps.slice(0, 2).map((s) => s.done)).toEqual([null, null]);
    expect(guide!.themeError).toMatch(/Access denied for themes field/);
    // Another shop's variant settings made the variant steps done for it, not for SHOP (previous test).
    expect(guide!.steps.slice(2).map((s) => s.done)).toEqual([true, true]);

    other.shop.grantedScopes.add("read_themes");
    expect((await load(other, OTHER))!.themeError).not.toBeNull();
    other.clock.advance(THEME_CHECK_TTL_MS);
    expect(await load(other, OTHER)).toMatchObject({
      themeError: null,
      steps: [{ done: false }, { done: false }, { done: true }, { done: true }],
    });
  });

  it("shows the theme steps as not checked when the shop has no published theme", async () => {
    other.shop.themes.splice(0, other.shop.themes.length);
    other.clock.advance(THEME_CHECK_TTL_MS);
    expect(await load(other, OTHER)).toMatchObject({ themeName: null, themeError: "The shop has no published theme" });
  });

  it("stays closed once dismissed, for that shop only", async () => {
    const stillOpen = await load(other, OTHER);
    expect(stillOpen).not.toBeNull();
    await dismissOnboarding(t.db, OTHER, other.clock.date());
    const before = themeCalls(other);
    other.clock.advance(THEME_CHECK_TTL_MS);
    expect(await load(other, OTHER)).toBeNull();
    expect(themeCalls(other)).toBe(before);
  });

  it("gives up on a Shopify that does not answer, without holding the dashboard", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const shop = "onboarding-silent.myshopify.com";
    await installOfflineSession(t.db, shop, "shpat_silent");
    const gateways = createGatewayFactory(t.db, { origin: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}` });
    try {
      const guide = await loadOnboarding(t.db, shop, { gateway: () => gateways(shop), apiKey: "key-1", timeoutMs: 300 });
      expect(guide).toMatchObject({ themeError: "Shopify did not answer in time", steps: [{ done: null }, { done: null }, {}, {}] });
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
