// A tiny storefront: a fixture theme's product page at /products/<handle> (with
// ?variant= and Shopify's ?section_id= section rendering), the theme's and the
// extension's assets, and the cart endpoints the themes' product forms post to. Every
// add is recorded, line item properties included, for tests and the demo to check.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import {
  EXTENSION_ASSET_PREFIX,
  EXTENSION_ROOT,
  MAIN_SECTION_ID,
  cartDrop,
  StorefrontRenderer,
  THEME_ASSET_PREFIX,
  themeRoot,
  type RenderSettings,
  type StorefrontCartLine,
  type StorefrontProduct,
  type StorefrontVariant,
} from "./render.ts";

export type CartLine = StorefrontCartLine;

export interface StorefrontOptions extends Omit<RenderSettings, "origin"> {
  port?: number;
  /** The product behind /products/<handle>, or null for 404. Called on every page view. */
  loadProduct(handle: string): Promise<StorefrontProduct | null> | StorefrontProduct | null;
  /** Products the cart's lines may come from without a product page seen first (tests seeding a cart). */
  products?: StorefrontProduct[];
}

export interface Storefront {
  url: string;
  /** Lines added to the cart, in order. */
  cart: CartLine[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

function serveAsset(res: http.ServerResponse, dir: string, name: string): void {
  const file = path.join(dir, path.basename(name));
  if (!fs.existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "max-age=300" });
  res.end(fs.readFileSync(file));
}

async function readForm(req: http.IncomingMessage): Promise<FormData> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers["content-type"] ?? "application/x-www-form-urlencoded";
  if (type.startsWith("application/json")) {
    const fd = new FormData();
    const json = JSON.parse(body.toString("utf8")) as { id: string | number; quantity?: number; properties?: Record<string, string> };
    fd.set("id", String(json.id));
    fd.set("quantity", String(json.quantity ?? 1));
    for (const [k, v] of Object.entries(json.properties ?? {})) fd.set(`properties[${k}]`, v);
    return fd;
  }
  // The themes' fetch (multipart FormData) and a plain form post (urlencoded).
  return new Response(body, { headers: { "content-type": type } }).formData();
}

function cartLineOf(form: FormData): CartLine {
  const properties: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    const m = /^properties\[(.+)\]$/.exec(key);
    if (m?.[1] && typeof value === "string") properties[m[1]] = value;
  }
  return { id: String(form.get("id")), quantity: Number(form.get("quantity") ?? 1) || 1, properties };
}

export async function startStorefront(options: StorefrontOptions): Promise<Storefront> {
  const cart: CartLine[] = [];
  let origin = "";
  // Cart lines name variants: the products served so far (or given) say whose they are.
  const variants = new Map<string, { product: StorefrontProduct; variant: StorefrontVariant }>();
  const remember = (product: StorefrontProduct) => product.variants.forEach((variant) => variants.set(variant.id, { product, variant }));
  options.products?.forEach(remember);
  const lookup = (id: string) => variants.get(id);
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" }).end(String((e as Error).stack ?? e));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", origin);
    if (req.method === "GET" && url.pathname.startsWith(THEME_ASSET_PREFIX))
      return serveAsset(res, path.join(themeRoot(options.theme), "assets"), url.pathname.slice(THEME_ASSET_PREFIX.length));
    if (req.method === "GET" && url.pathname.startsWith(EXTENSION_ASSET_PREFIX))
      return serveAsset(res, path.join(EXTENSION_ROOT, "assets"), url.pathname.slice(EXTENSION_ASSET_PREFIX.length));

    const productMatch = /^\/products\/([\w-]+)$/.exec(url.pathname);
    if (req.method === "GET" && productMatch?.[1]) {
      const product = await options.loadProduct(productMatch[1]);
      if (!product) return void res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      remember(product);
      const renderer = new StorefrontRenderer({ ...options, origin });
      const sectionId = url.searchParams.get("section_id");
      if (sectionId && sectionId !== MAIN_SECTION_ID) return void res.writeHead(404).end();
      const html = sectionId
        ? await renderer.renderSection(product, url.searchParams.get("variant"))
        : await renderer.renderPage(product, url.searchParams.get("variant"), cart, lookup);
      return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    }

    if (req.method === "POST" && (url.pathname === "/cart/add" || url.pathname === "/cart/add.js")) {
      const form = await readForm(req);
      const line = cartLineOf(form);
      cart.push(line);
      // Section Rendering with the add (`sections`, as Dawn and Horizon ask for their drawer).
      const sections: Record<string, string> = {};
      for (const name of String(form.get("sections") ?? "").split(",")) {
        if (name === "cart-drawer") sections[name] = await new StorefrontRenderer({ ...options, origin }).renderCartDrawer(cart, lookup);
      }
      // Shopify answers JSON to /cart/add.js and to Ajax posts to /cart/add (the themes' fetch).
      const ajax = url.pathname === "/cart/add.js" || req.headers["x-requested-with"] === "XMLHttpRequest";
      if (ajax) {
        return void res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ ...line, variant_id: Number(line.id), sections }));
      }
      return void res.writeHead(302, { location: "/cart" }).end();
    }
    if (req.method === "GET" && url.pathname === "/cart.js") {
      // Shopify's Ajax cart: each item with its title ("<product> - <variant>") and properties.
      const items = cartDrop(cart, lookup).items.map(({ variant: _, ...item }) => item);
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ items }));
    }
    if (req.method === "GET" && url.pathname === "/cart") {
      const html = await new StorefrontRenderer({ ...options, origin }).renderCartPage(cart, lookup);
      return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    cart,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
