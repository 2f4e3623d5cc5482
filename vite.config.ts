import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

// Remix's own dev server is not used here (Shopify CLI proxies `remix vite:dev`);
// HMR over the tunnel needs the host from SHOPIFY_APP_URL.
const host = new URL(process.env.SHOPIFY_APP_URL ?? "http://localhost").hostname;

export default defineConfig({
  server: {
    port: Number(process.env.PORT ?? 3000),
    hmr: host === "localhost" ? { protocol: "ws", host: "localhost", port: 64999 } : { protocol: "wss", host, clientPort: 443 },
    fs: { allow: ["app", "node_modules", "prisma/generated"] },
  },
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: false,
        v3_routeConfig: false,
      },
    }),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});
