// Renders a product page of one of our fixture themes (dev/storefront/themes: a Dawn-like
// and a Horizon-like one, written for our tests) with liquidjs, with our theme app
// extension placed the way Shopify places it: the app block in the product
// section's `@app` slot (from templates/product.json), the app embed before </body>,
// and the blocks' schema `javascript`/`stylesheet` assets in the head.
//
// Shopify's Liquid is shimmed only as far as this page needs (see README.md):
// filters t, asset_url, stylesheet_tag, money, money_with_currency; tags form, style,
// schema; `{% render block %}` for app blocks; objects product, request, routes, shop,
// settings, content_for_header, content_for_layout; variant.metafields['$app'] (the app's
// STOREFRONT_METAFIELD, keyed as Liquid sees it through the `$app` reserved prefix).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid, Tag, Value, type Context, type Emitter, type TagToken, type Template, type TopLevelToken } from "liquidjs";
import { STOREFRONT_METAFIELD, type StorefrontStatus } from "../../app/backorder/storefront-status.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The fixture themes: each behaves as the theme it is named after where the app depends on it. */
export const THEMES = ["dawn-like", "horizon-like"] as const;
export type StorefrontTheme = (typeof THEMES)[number];
export const themeRoot = (theme: StorefrontTheme = "dawn-like") => path.join(here, "themes", theme);
export const EXTENSION_ROOT = path.resolve(here, "../../extensions/backorder-notice");
export const THEME_ASSET_PREFIX = "/cdn/theme/assets/";
export const EXTENSION_ASSET_PREFIX = "/cdn/extensions/backorder-notice/assets/";
/** How Shopify names a JSON template's section (template--<id>__<key>). */
export const MAIN_SECTION_ID = "template--product__main";

export interface StorefrontVariant {
  id: string;
  title: string;
  /** In cents, as Liquid's money filter expects. */
  price: number;
  available: boolean;
  options: string[];
  /** The app's STOREFRONT_METAFIELD value, or null when the app has not published one. */
  metafieldStatus: StorefrontStatus | null;
}

export interface StorefrontProduct {
  /** The product's id (Liquid's `product.id`); optional for callers that do not know it. */
  id?: string;
  title: string;
  handle: string;
  vendor?: string;
  /** Option names, e.g. ["Size"]; ["Title"] for a product with only the default variant. */
  options: string[];
  variants: StorefrontVariant[];
}

/** A cart line as the storefront keeps it: what `/cart/add` received. */
export interface StorefrontCartLine {
  id: string;
  quantity: number;
  properties: Record<string, string>;
}

/** The shop's `$app.backorder_shipping` metafield value: how orders with backordered items are held. */
export interface StorefrontShipping {
  v: 1;
  hold: string;
}

/** The product and variant of a cart line, when the storefront knows them. */
export type VariantLookup = (id: string) => { product: StorefrontProduct; variant: StorefrontVariant } | undefined;

export interface RenderSettings {
  origin: string;
  /** Which fixture theme renders the page. Default "dawn-like". */
  theme?: StorefrontTheme;
  /** Storefront locale: picks the extension's locale file (fr, de, es; else en). */
  locale?: string;
  shopName?: string;
  currency?: string;
  /** Theme editor settings of the app block (merged over its schema defaults). */
  blockSettings?: Record<string, unknown>;
  /** Render the app block in the product section (a theme with @app support). Default true. */
  appBlock?: boolean;
  /** Turn on the app embed (for themes without app blocks). Default false. */
  appEmbed?: boolean;
  /** The theme's cart type: a drawer (rendered on every page, opened on add) or the cart page. Default "page". */
  cartType?: "page" | "drawer";
  /** The shop's `$app.backorder_shipping` metafield, or null/absent when the app has not published it. */
  shipping?: StorefrontShipping | null;
}

type Json = Record<string, unknown>;
const readJson = (file: string): Json => JSON.parse(fs.readFileSync(file, "utf8").replace(/^\s*\/\*[\s\S]*?\*\/\s*/, "")) as Json;

function lookup(dict: Json, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Json)[part] : undefined), dict);
}

/** Shopify's `t` filter: a locale key with `{{ name }}` interpolation from keyword arguments. */
function translate(dicts: Json[], key: string, args: unknown[]): string {
  const found = dicts.map((d) => lookup(d, key)).find((v) => typeof v === "string");
  if (typeof found !== "string") return `translation missing: ${key}`;
  const vars = Object.fromEntries(args.filter((a): a is [string, unknown] => Array.isArray(a) && a.length === 2));
  return found.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(vars[name] ?? ""));
}

function schemaOf(file: string): Json {
  const m = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(fs.readFileSync(file, "utf8"));
  return m?.[1] ? (JSON.parse(m[1]) as Json) : {};
}

function defaultsOf(schema: Json): Record<string, unknown> {
  const settings = (schema.settings ?? []) as { id?: string; default?: unknown }[];
  return Object.fromEntries(settings.filter((s) => s.id && s.default !== undefined).map((s) => [s.id, s.default]));
}

/** Tags whose body is data for Shopify's editor (schema): dropped from the output. */
class SchemaTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    while (remain.length) {
      const t = remain.shift() as TopLevelToken & { name?: string };
      if (t.name === "endschema") return;
    }
    throw new Error("{% schema %} not closed");
  }
  render(): void {}
}

/** A tag with a Liquid body, closed by `end<name>`. */
abstract class BlockTag extends Tag {
  protected body: Template[] = [];
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    const stream = liquid.parser.parseStream(remain);
    stream
      .on(`tag:end${token.name}`, () => stream.stop())
      .on("template", (tpl: Template) => this.body.push(tpl))
      .on("end", () => {
        throw new Error(`{% ${token.name} %} not closed`);
      });
    stream.start();
  }
  protected *renderBody(ctx: Context): Generator<unknown, string, unknown> {
    return (yield this.liquid.renderer.renderTemplates(this.body, ctx)) as string;
  }
}

class StyleTag extends BlockTag {
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    emitter.write(`<style>${yield* this.renderBody(ctx)}</style>`);
  }
}

/** `{% form 'product', product, id: ..., class: ..., data-type: ... %}`: the cart/add form with Shopify's hidden fields. */
class FormTag extends BlockTag {
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const parts = this.token.args.split(",").map((p) => p.trim());
    const attrs: string[] = [];
    for (const part of parts.slice(2)) {
      const m = /^([\w-]+)\s*:\s*(.+)$/.exec(part);
      if (!m?.[1] || !m[2]) continue;
      const value = yield new Value(m[2], this.liquid).value(ctx, false);
      attrs.push(`${m[1]}="${escapeHtml(String(value ?? ""))}"`);
    }
    const body = yield* this.renderBody(ctx);
    emitter.write(
      `<form method="post" action="/cart/add" accept-charset="UTF-8" enctype="multipart/form-data" ${attrs.join(" ")}>` +
        `<input type="hidden" name="form_type" value="product" /><input type="hidden" name="utf8" value="✓" />${body}</form>`,
    );
  }
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function formatMoney(cents: unknown, currency: string, withCurrency: boolean): string {
  const amount = (Number(cents) / 100).toFixed(2);
  const symbol = currency === "EUR" ? "€" : currency === "GBP" ? "£" : "$";
  return withCurrency ? `${symbol}${amount} ${currency}` : `${symbol}${amount}`;
}

function engine(root: string, partials: string, dicts: () => Json[], assetPrefix: string, currency: string): Liquid {
  const liquid = new Liquid({ root, partials, extname: ".liquid", timezoneOffset: 0, jsTruthy: false, cache: false });
  liquid.registerFilter("t", (key: string, ...args: unknown[]) => translate(dicts(), key, args));
  liquid.registerFilter("asset_url", (name: string) => `${assetPrefix}${name}`);
  liquid.registerFilter("stylesheet_tag", (url: string) => `<link href="${url}" rel="stylesheet" type="text/css" media="all" />`);
  liquid.registerFilter("money", (cents: unknown) => formatMoney(cents, currency, false));
  liquid.registerFilter("money_with_currency", (cents: unknown) => formatMoney(cents, currency, true));
  liquid.registerTag("schema", SchemaTag);
  liquid.registerTag("style", StyleTag);
  liquid.registerTag("form", FormTag);
  return liquid;
}

/** The Liquid `product` object for the page, with `variant` as selected (Shopify's ?variant=). */
export function productDrop(p: StorefrontProduct, selectedVariantId?: string | null) {
  const variants = p.variants.map((v) => {
    const drop: Json = {
      id: Number(v.id),
      title: v.title,
      price: v.price,
      compare_at_price: null,
      available: v.available,
      options: v.options,
      option1: v.options[0] ?? null,
      option2: v.options[1] ?? null,
      option3: v.options[2] ?? null,
      featured_media: null,
      url: `/products/${p.handle}?variant=${v.id}`,
    };
    // Not part of `variants | json` on Shopify either: only reachable through Liquid.
    Object.defineProperty(drop, "metafields", {
      enumerable: false,
      value: {
        [STOREFRONT_METAFIELD.namespace]: v.metafieldStatus
          ? { [STOREFRONT_METAFIELD.key]: { type: STOREFRONT_METAFIELD.type, value: v.metafieldStatus } }
          : {},
      },
    });
    return drop;
  });
  const selected =
    variants.find((v) => String(v.id) === String(selectedVariantId)) ?? variants.find((v) => v.available) ?? variants[0] ?? null;
  const prices = p.variants.map((v) => v.price);
  return {
    id: Number(p.id ?? 0),
    title: p.title,
    handle: p.handle,
    vendor: p.vendor ?? "",
    url: `/products/${p.handle}`,
    variants,
    selected_variant: selectedVariantId ? selected : null,
    selected_or_first_available_variant: selected,
    has_only_default_variant: p.variants.length === 1 && p.options.length === 1 && p.options[0] === "Title",
    options: p.options,
    options_with_values: p.options.map((name, i) => ({
      name,
      position: i + 1,
      values: [...new Set(p.variants.map((v) => v.options[i]))],
      selected_value: (selected?.options as string[] | undefined)?.[i] ?? null,
    })),
    price: Math.min(...prices),
    price_varies: new Set(prices).size > 1,
    compare_at_price: null,
    compare_at_price_varies: false,
    available: p.variants.some((v) => v.available),
    media: [],
  };
}

/** The Liquid `cart` object: lines with their product, variant (and its metafields) and properties. */
export function cartDrop(lines: StorefrontCartLine[], lookup: VariantLookup) {
  const items = lines.map((line, i) => {
    const found = lookup(line.id);
    const variant = found ? productDrop(found.product, line.id).selected_or_first_available_variant : null;
    const productTitle = found?.product.title ?? `Variant ${line.id}`;
    const variantTitle = found?.variant.title ?? "";
    return {
      key: `${line.id}:${i}`,
      id: Number(line.id),
      variant_id: Number(line.id),
      quantity: line.quantity,
      // Shopify's item.title: "<product> - <variant>", the product's alone for a default variant.
      title: variantTitle && variantTitle !== "Default Title" ? `${productTitle} - ${variantTitle}` : productTitle,
      product_title: productTitle,
      variant_title: variantTitle,
      properties: line.properties,
      url: found ? `/products/${found.product.handle}?variant=${line.id}` : "",
      price: found?.variant.price ?? 0,
      final_line_price: (found?.variant.price ?? 0) * line.quantity,
      variant,
    };
  });
  return {
    items,
    item_count: items.reduce((n, i) => n + i.quantity, 0),
    total_price: items.reduce((n, i) => n + i.final_line_price, 0),
  };
}

interface TemplateBlock {
  type: string;
  settings?: Json;
}
interface TemplateSection {
  type: string;
  blocks?: Record<string, TemplateBlock>;
  block_order?: string[];
  settings?: Json;
}

const EXTENSION_LOCALES = ["en.default", "fr", "de", "es"];

export class StorefrontRenderer {
  private readonly root: string;
  private readonly themeLocale: Json;
  private readonly blockSchema = schemaOf(path.join(EXTENSION_ROOT, "blocks/backorder-notice.liquid"));
  private readonly embedSchema = schemaOf(path.join(EXTENSION_ROOT, "blocks/backorder-embed.liquid"));
  private extensionDicts: Json[] = [];

  constructor(private readonly settings: RenderSettings) {
    this.root = themeRoot(settings.theme);
    this.themeLocale = readJson(path.join(this.root, "locales/en.default.json"));
  }

  private get currency() {
    return this.settings.currency ?? "USD";
  }

  private loadExtensionDicts() {
    const locale = (this.settings.locale ?? "en").slice(0, 2);
    const files = EXTENSION_LOCALES.filter((l) => l === locale || l === "en.default");
    // Requested locale first, English as fallback (Shopify's order).
    this.extensionDicts = files
      .sort((a) => (a === locale ? -1 : 1))
      .map((l) => readJson(path.join(EXTENSION_ROOT, "locales", `${l}.json`)));
  }

  private themeEngine(): Liquid {
    const theme = engine(this.root, path.join(this.root, "snippets"), () => [this.themeLocale], THEME_ASSET_PREFIX, this.currency);
    const extension = this.extensionEngine();
    const blockFile = path.join(EXTENSION_ROOT, "blocks/backorder-notice.liquid");
    // `{% render block %}` renders an app block in its own extension's scope.
    class AppBlockTag extends Tag {
      *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
        const block = ctx.getSync(["block"]) as { app_file?: string };
        if (block.app_file !== blockFile) return;
        const html = yield extension.renderFile(blockFile, {
          block,
          product: ctx.getSync(["product"]),
          section: ctx.getSync(["section"]),
          request: ctx.getSync(["request"]),
          shop: ctx.getSync(["shop"]),
        });
        emitter.write(html as string);
      }
    }
    theme.registerTag("render_app_block", AppBlockTag);
    return theme;
  }

  private extensionEngine(): Liquid {
    return engine(EXTENSION_ROOT, path.join(EXTENSION_ROOT, "snippets"), () => this.extensionDicts, EXTENSION_ASSET_PREFIX, this.currency);
  }

  private globals(product: ReturnType<typeof productDrop> | null, cart: ReturnType<typeof cartDrop>) {
    const shop = { name: this.settings.shopName ?? "Linen & Co.", currency: this.currency };
    // Only reachable through Liquid, as on Shopify.
    Object.defineProperty(shop, "metafields", {
      enumerable: false,
      value: { $app: this.settings.shipping ? { backorder_shipping: { type: "json", value: this.settings.shipping } } : {} },
    });
    return {
      product,
      cart,
      request: {
        locale: { iso_code: this.settings.locale ?? "en" },
        origin: this.settings.origin,
        page_type: product ? "product" : "cart",
      },
      routes: {
        root_url: "/",
        cart_add_url: "/cart/add",
        cart_change_url: "/cart/change",
        cart_update_url: "/cart/update",
        cart_url: "/cart",
      },
      shop,
      settings: { cart_type: this.settings.cartType ?? "page" },
      template: { name: product ? "product" : "cart" },
      canonical_url: `${this.settings.origin}${product?.url ?? "/cart"}`,
      page_title: product?.title ?? "Cart",
    };
  }

  private async renderMainSection(
    theme: Liquid,
    globals: ReturnType<StorefrontRenderer["globals"]>,
  ): Promise<{ html: string; hasAppBlock: boolean }> {
    const name = globals.template.name;
    const template = readJson(path.join(this.root, `templates/${name}.json`)) as {
      sections: Record<string, TemplateSection>;
      order: string[];
    };
    let hasAppBlock = false;
    const out: string[] = [];
    for (const key of template.order) {
      const s = template.sections[key];
      if (!s) continue;
      const blocks = (s.block_order ?? []).flatMap((id) => {
        const b = s.blocks?.[id];
        if (!b) return [];
        if (b.type.startsWith("shopify://apps/")) {
          // An app block: type "@app" in Liquid; its file is the extension's block.
          if (this.settings.appBlock === false || !b.type.includes("/blocks/backorder-notice/")) return [];
          hasAppBlock = true;
          const settings = { ...defaultsOf(this.blockSchema), ...b.settings, ...this.settings.blockSettings };
          return [
            { id, type: "@app", settings, shopify_attributes: "", app_file: path.join(EXTENSION_ROOT, "blocks/backorder-notice.liquid") },
          ];
        }
        return [{ id, type: b.type, settings: b.settings ?? {}, shopify_attributes: "" }];
      });
      const section = { id: `template--${name}__${key}`, settings: s.settings ?? {}, blocks };
      const source = fs
        .readFileSync(path.join(this.root, "sections", `${s.type}.liquid`), "utf8")
        .replace(/\{%-?\s*render block\s*-?%\}/g, "{% render_app_block %}");
      const html = await theme.parseAndRender(source, { ...globals, section });
      out.push(`<div id="shopify-section-${section.id}" class="shopify-section">${html}</div>`);
    }
    return { html: out.join("\n"), hasAppBlock };
  }

  /** The section alone, as Shopify's Section Rendering API returns it (`?section_id=`). */
  async renderSection(p: StorefrontProduct, selectedVariantId: string | null): Promise<string> {
    this.loadExtensionDicts();
    return (
      await this.renderMainSection(
        this.themeEngine(),
        this.globals(
          productDrop(p, selectedVariantId),
          cartDrop([], () => undefined),
        ),
      )
    ).html;
  }

  /** The theme's cart drawer alone (snippets/cart-drawer.liquid), as Section Rendering returns it after an add. */
  async renderCartDrawer(lines: StorefrontCartLine[], lookup: VariantLookup): Promise<string> {
    return this.themeEngine().renderFile(path.join(this.root, "snippets/cart-drawer.liquid"), this.globals(null, cartDrop(lines, lookup)));
  }

  /** The product page; `cart` is the shopper's cart (the drawer and the app embed read it). */
  async renderPage(
    p: StorefrontProduct,
    selectedVariantId: string | null,
    cart: StorefrontCartLine[] = [],
    lookup: VariantLookup = () => undefined,
  ): Promise<string> {
    return this.renderTemplate(productDrop(p, selectedVariantId), cartDrop(cart, lookup));
  }

  /** The cart page (templates/cart.json). */
  async renderCartPage(cart: StorefrontCartLine[], lookup: VariantLookup): Promise<string> {
    return this.renderTemplate(null, cartDrop(cart, lookup));
  }

  private async renderTemplate(product: ReturnType<typeof productDrop> | null, cart: ReturnType<typeof cartDrop>): Promise<string> {
    this.loadExtensionDicts();
    const theme = this.themeEngine();
    const globals = this.globals(product, cart);
    const main = await this.renderMainSection(theme, globals);
    const embedOn = this.settings.appEmbed === true;
    // Shopify loads an app block's schema assets once, when the block or embed is on the page.
    const schema = main.hasAppBlock ? this.blockSchema : embedOn ? this.embedSchema : null;
    const head = schema
      ? [
          schema.stylesheet
            ? `<link href="${EXTENSION_ASSET_PREFIX}${String(schema.stylesheet)}" rel="stylesheet" type="text/css" media="all" />`
            : "",
          schema.javascript ? `<script src="${EXTENSION_ASSET_PREFIX}${String(schema.javascript)}" defer="defer"></script>` : "",
        ].join("")
      : "";
    const layout = fs.readFileSync(path.join(this.root, "layout/theme.liquid"), "utf8");
    let html = await theme.parseAndRender(layout, { ...globals, content_for_header: head, content_for_layout: main.html });
    if (embedOn) {
      const embedFile = path.join(EXTENSION_ROOT, "blocks/backorder-embed.liquid");
      const block = { id: "backorder-embed", type: "@app", settings: { ...defaultsOf(this.embedSchema), ...this.settings.blockSettings } };
      const embed = await this.extensionEngine().renderFile(embedFile, { ...globals, block });
      html = html.replace("</body>", `${embed}</body>`);
    }
    return html;
  }
}
