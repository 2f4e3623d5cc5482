// The admin as the offline demo serves it: `remix vite:dev` with the dev-only demo way
// in (BACKORDER_DEMO_SHOP) on a test database, and headless Chromium to look at it.
import { startAppDevServer } from "../../dev/app-dev-server.ts";
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

export interface DevServer {
  url: string;
  output: () => string;
  close(): Promise<void>;
}

/** The admin as the offline demo serves it, on a test database; the worker stays off (tests drive it). */
export function startDevServer({ databaseUrl, shop }: { databaseUrl: string; shop: string }): Promise<DevServer> {
  return startAppDevServer({ databaseUrl, shop });
}
