// Real headless Chromium (Debian's /usr/bin/chromium) through playwright-core.
import fs from "node:fs";
import os from "node:os";
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

/**
 * Where a browser test's screenshot goes: docs/screenshots/ when UPDATE_SCREENSHOTS is set
 * (to refresh the README's pictures), else a temporary folder, so a test run leaves the tree clean.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS ? path.resolve(import.meta.dirname, "../../docs/screenshots") : path.join(os.tmpdir(), "backorder-queue-screenshots");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
