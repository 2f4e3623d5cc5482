// `npm run storefront`: the Dawn product page with the backorder notice, on
// http://127.0.0.1:4100/products/linen-shirt (fixture data; PORT to change the port).
import { startStorefront } from "./server.ts";
import { LINEN_SHIRT } from "./fixture-product.ts";

const s = await startStorefront({
  port: Number(process.env.PORT ?? 4100),
  loadProduct: (handle) => (handle === LINEN_SHIRT.handle ? LINEN_SHIRT : null),
});
console.log(`storefront: ${s.url}/products/${LINEN_SHIRT.handle}`);
