/** The Admin API version the app speaks. Keep in step with API_VERSION in app/shopify-app.server.ts and shopify.app.toml. */
export const ADMIN_API_VERSION = "2026-10";
