// `npm run storefront`: a fixture theme's product page with the backorder notice, on
// http://127.0.0.1:4100/products/linen-shirt (fixture data; PORT to change the port,
// THEME=horizon-like for the Horizon-like theme, dawn-like by default).
import { startStorefront } from "./server.ts";
import { LINEN_SHIRT } from "./fixture-product.ts";
import { THEMES, type StorefrontTheme } from "./render.ts";

const theme = (process.env.THEME ?? "dawn-like") as StorefrontTheme;
if (!THEMES.includes(theme)) throw new Error(`THEME must be one of ${THEMES.join(", ")}`);
const s = await startStorefront({
  port: Number(process.env.PORT ?? 4100),
  theme,
  loadProduct: (handle) => (handle === LINEN_SHIRT.handle ? LINEN_SHIRT : null),
});
console.log(`storefront (${theme}): ${s.url}/products/${LINEN_SHIRT.handle}`);
