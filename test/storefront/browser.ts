// Real headless Chromium (Debian's /usr/bin/chromium) through playwright-core.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

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

/**
 * Where a browser test's screenshot goes: docs/screenshots/ when UPDATE_SCREENSHOTS is set
 * (to refresh the README's pictures), else a temporary folder, so a test run leaves the tree clean.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS
    ? path.resolve(import.meta.dirname, "../../docs/screenshots")
    : path.join(os.tmpdir(), "backorder-queue-screenshots");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/**
 * `page.goto` that survives a dev server reloading the page under it: Vite, finding a
 * dependency late, re-optimizes and reloads, which aborts the navigation in hand
 * (net::ERR_ABORTED) or destroys the context a wait runs in. `ready` is awaited after each
 * navigation; the whole is tried again, a few times, when a reload interrupted it.
 */
export async function gotoSettled(page: Page, url: string, ready: () => Promise<unknown> = async () => {}, tries = 4): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url);
      await ready();
      return;
    } catch (e) {
      const interrupted = /ERR_ABORTED|Execution context was destroyed|navigation|Target page, context or browser has been closed/i.test(
        String(e),
      );
      if (!interrupted || attempt >= tries || page.isClosed()) throw e;
      await page.waitForLoadState("load").catch(() => {});
    }
  }
}
