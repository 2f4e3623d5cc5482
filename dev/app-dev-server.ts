// The app as `remix vite:dev` serves it, on a database of the caller's choosing, with the
// dev-only way into the admin (BACKORDER_DEMO_SHOP): the offline demo and the browser
// tests run it. No Shopify: the API key and secret are local stand-ins.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

export const DEMO_API_KEY = "demo-api-key";
export const DEMO_API_SECRET = "demo-api-secret";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Refuses a taken port up front, with a message that says what to change. */
export function assertPortFree(port: number, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", () => reject(new Error(`port ${port} is in use: stop what uses it or set ${setting}`)));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve()));
  });
}

export interface AppDevServerOptions {
  databaseUrl: string;
  shop: string;
  /** Free port when absent. */
  port?: number;
  /** Run the inbox worker and the Shopify sync in the web process (default: off). */
  worker?: boolean;
  /** More environment, e.g. SHOPIFY_ADMIN_API_ORIGIN. */
  env?: Record<string, string>;
  /** Each line the server prints, as it comes. */
  onOutput?: (chunk: string) => void;
}

export interface AppDevServer {
  url: string;
  output: () => string;
  close(): Promise<void>;
}

export async function startAppDevServer(opts: AppDevServerOptions): Promise<AppDevServer> {
  const [port, hmrPort] = [opts.port ?? (await freePort()), await freePort()];
  const root = path.resolve(import.meta.dirname, "..");
  let log = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:dev", "--port", String(port), "--strictPort"],
    {
      cwd: root,
      detached: true, // its own process group, so close() ends Vite and its workers together
      env: {
        ...process.env,
        NODE_ENV: "development",
        BACKORDER_DEMO_SHOP: opts.shop,
        DATABASE_URL: opts.databaseUrl,
        SHOPIFY_API_KEY: DEMO_API_KEY,
        SHOPIFY_API_SECRET: DEMO_API_SECRET,
        SHOPIFY_APP_URL: `http://localhost:${port}`,
        BACKORDER_WORKER: opts.worker ? "on" : "off",
        VITE_HMR_PORT: String(hmrPort),
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const collect = (d: Buffer) => {
    log += d;
    opts.onOutput?.(String(d));
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const url = `http://localhost:${port}`;
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      return; // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`vite:dev exited (${child.exitCode}):\n${log}`);
      try {
        // The first request compiles the route modules; wait until the layout answers.
        const res = await fetch(`${url}/app/settings`);
        if (res.status === 200) break;
        if (res.status >= 500) throw new Error(`dev server answered ${res.status}:\n${(await res.text()).slice(0, 2000)}`);
      } catch (e) {
        if (e instanceof Error && e.message.startsWith("dev server answered")) throw e;
        if (Date.now() > deadline) throw new Error(`vite:dev did not answer within 120 s:\n${log}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { url, output: () => log, close };
}
