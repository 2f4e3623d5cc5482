// The admin as the offline demo serves it: `remix vite:dev` with the dev-only demo way
// in (BACKORDER_DEMO_SHOP) on a test database, and headless Chromium to look at it.
import type { Page } from "playwright-core";
import { startAppDevServer } from "../../dev/app-dev-server.ts";
import { gotoSettled } from "../storefront/browser.ts";
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

/**
 * Opens an admin page and waits until React has hydrated it (the root's `data-hydrated`) and
 * the network is quiet: a field filled before hydration keeps its text on screen while React's
 * state never hears of it, so a preview or a save would not follow.
 */
export async function openAdminPage(page: Page, url: string): Promise<void> {
  await gotoSettled(page, url, async () => {
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
    await page.waitForLoadState("networkidle");
  });
}
