// The process-wide Shopify app instance.
import { db } from "./db/client.server.ts";
import { appConfig } from "./config.server.ts";
import { createShopifyApp } from "./shopify-app.server.ts";

export { API_VERSION } from "./shopify-app.server.ts";

const shopify = createShopifyApp(db(), appConfig());

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
