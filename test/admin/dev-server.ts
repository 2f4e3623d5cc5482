// The admin as the offline demo serves it: `remix vite:dev` with the dev-only demo way
// in (BACKORDER_DEMO_SHOP) on a test database, and headless Chromium to look at it.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", headless: true, args: CHROMIUM_FLAGS });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface DevServer {
  url: string;
  output: () => string;
  close(): Promise<void>;
}

export async function startDevServer({ databaseUrl, shop }: { databaseUrl: string; shop: string }): Promise<DevServer> {
  const [port, hmrPort] = [await freePort(), await freePort()];
  const root = path.resolve(import.meta.dirname, "../..");
  let log = "";
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:dev", "--port", String(port), "--strictPort"], {
    cwd: root,
    detached: true, // its own process group, so close() ends Vite and its workers together
    env: {
      ...process.env,
      NODE_ENV: "development",
      BACKORDER_DEMO_SHOP: shop,
      DATABASE_URL: databaseUrl,
      SHOPIFY_API_KEY: "demo-api-key",
      SHOPIFY_API_SECRET: "demo-api-secret",
      SHOPIFY_APP_URL: `http://localhost:${port}`,
      BACKORDER_WORKER: "off",
      VITE_HMR_PORT: String(hmrPort),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite:dev exited (${child.exitCode}):\n${log}`);
    try {
      // The first request compiles the route modules; wait until the layout answers.
      const res = await fetch(`${url}/app/settings`);
      if (res.status === 200) break;
      if (res.status >= 500) throw new Error(`dev server answered ${res.status}:\n${(await res.text()).slice(0, 2000)}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("dev server answered")) throw e;
      if (Date.now() > deadline) throw new Error(`vite:dev did not answer within 90 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    url,
    output: () => log,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid!, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}
