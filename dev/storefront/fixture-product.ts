// A product with one variant in each storefront state, for tests, the bench and the demo.
import type { StorefrontProduct } from "./render.ts";

export const LINEN_SHIRT: StorefrontProduct = {
  id: "8001",
  title: "Linen shirt",
  handle: "linen-shirt",
  vendor: "Linen & Co.",
  options: ["Size"],
  variants: [
    {
      id: "41001",
      title: "S",
      price: 4500,
      available: true,
      options: ["S"],
      metafieldStatus: { v: 1, state: "in_stock", eta: null, remaining: null, message: null },
    },
    {
      id: "41002",
      title: "M",
      price: 4500,
      available: true,
      options: ["M"],
      metafieldStatus: { v: 1, state: "backorder", eta: "2026-12-16", remaining: 7, message: null },
    },
    {
      id: "41003",
      title: "L",
      price: 4500,
      available: false,
      options: ["L"],
      metafieldStatus: { v: 1, state: "sold_out", eta: null, remaining: 0, message: null },
    },
    // Never published by the app (e.g. just created): the theme treats it as in stock.
    { id: "41004", title: "XL", price: 4800, available: true, options: ["XL"], metafieldStatus: null },
  ],
};
