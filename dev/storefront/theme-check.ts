// `npm run lint:theme`: Shopify's theme-check on the theme app extension (the checks
// `shopify app deploy` runs). Exits non-zero on any offense.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { check } from "@shopify/theme-check-node";
import { EXTENSION_ROOT } from "./render.ts";

export async function themeCheckOffenses() {
  const offenses = await check(EXTENSION_ROOT);
  return offenses.map((o) => ({
    check: o.check,
    severity: o.severity,
    file: path.relative(EXTENSION_ROOT, fileURLToPath(o.uri)),
    message: o.message,
  }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const offenses = await themeCheckOffenses();
  for (const o of offenses) console.log(`${o.file}: [${o.check}] ${o.message}`);
  console.log(`theme-check: ${offenses.length} offense(s) in ${path.relative(process.cwd(), EXTENSION_ROOT)}`);
  process.exit(offenses.length ? 1 : 0);
}
