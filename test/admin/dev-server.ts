// The admin as the offline demo serves it: `remix vite:dev` with the dev-only demo way
// in (BACKORDER_DEMO_SHOP) on a test database, and headless Chromium to look at it.
import { startAppDevServer } from "../../dev/app-dev-server.ts";
export { CHROMIUM_FLAGS, launchChromium } from "../storefront/browser.ts";

export interface DevServer {
  url: string;
  output: () => string;
  close(): Promise<void>;
}

/** The admin as the offline demo serves it, on a test database; the worker stays off (tests drive it). */
export function startDevServer({ databaseUrl, shop }: { databaseUrl: string; shop: string }): Promise<DevServer> {
  return startAppDevServer({ databaseUrl, shop });
}
