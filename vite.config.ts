import { vitePlugin as remix } from "@remix-run/dev";
import path from "node:path";
import { defineConfig, type Plugin } from "vite";

// The generated Prisma clients are CommonJS outside node_modules and read their Wasm
// query compiler from their own folder, so they are never bundled: the server build
// imports them relative to build/server, and `vite:dev` (whose module runner only
// evaluates ESM) gets a wrapper that loads them with Node's require.
const PRISMA_CLIENT = /prisma\/generated\/(sqlite|postgres)\/index\.js$/;
function prismaClientsExternal(): Plugin {
  let serverBuildDir: string | null = null;
  return {
    name: "prisma-generated-external",
    enforce: "pre",
    configResolved(config) {
      serverBuildDir = config.command === "build" ? path.join(config.root, "build/server") : null;
    },
    resolveId(id, importer, options) {
      if (!options?.ssr || !importer || !PRISMA_CLIENT.test(id)) return null;
      const file = path.resolve(path.dirname(importer), id);
      return serverBuildDir ? { id: path.relative(serverBuildDir, file), external: true } : file;
    },
    load(id, options) {
      if (serverBuildDir || !options?.ssr || !PRISMA_CLIENT.test(id)) return null;
      return [
        `import { createRequire } from "node:module";`,
        `const client = createRequire(${JSON.stringify(id)})(${JSON.stringify(id)});`,
        `export const PrismaClient = client.PrismaClient;`,
        `export const Prisma = client.Prisma;`,
        `export default client;`,
      ].join("\n");
    },
  };
}

// Remix's own dev server is not used here (Shopify CLI proxies `remix vite:dev`);
// HMR over the tunnel needs the host from SHOPIFY_APP_URL.
const host = new URL(process.env.SHOPIFY_APP_URL ?? "http://localhost").hostname;

export default defineConfig({
  server: {
    port: Number(process.env.PORT ?? 3000),
    hmr:
      host === "localhost"
        ? { protocol: "ws", host: "localhost", port: Number(process.env.VITE_HMR_PORT ?? 64999) }
        : { protocol: "wss", host, clientPort: 443 },
    fs: { allow: ["app", "node_modules", "prisma/generated"] },
  },
  plugins: [
    prismaClientsExternal(),
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
  // Pre-bundle every browser dependency at start-up. Left to discovery, the first page
  // view finds one late, Vite re-optimizes and reloads, and the page briefly holds two
  // copies of React ("Cannot read properties of null (reading 'useState')"). The server
  // packages are listed too: the client's import analysis still meets them in route
  // modules before Remix drops the loaders, and each late find means a reload.
  optimizeDeps: {
    include: [
      "react",
      "react/jsx-runtime",
      "react/jsx-dev-runtime",
      "react-dom",
      "react-dom/client",
      "@remix-run/react",
      "@shopify/app-bridge-react",
      "@shopify/polaris",
      "@shopify/shopify-app-remix/react",
      "@remix-run/node",
      "@shopify/shopify-app-remix/server",
      "@shopify/shopify-app-remix/adapters/node",
      "@shopify/shopify-app-session-storage-prisma",
      "@prisma/adapter-libsql",
      "@prisma/adapter-pg",
      "@libsql/client",
      "graphql-request",
      "nodemailer", // the Emails route's sender.server.ts: found late, it reloaded the page mid-test
    ],
  },
});
