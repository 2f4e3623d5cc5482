// `npm run build:theme`: minifies dev/storefront/notice-script.js into the theme app
// extension's asset. esbuild comes with the Remix/Vite toolchain already installed.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
export const NOTICE_SOURCE = path.join(here, "notice-script.js");
export const NOTICE_ASSET = path.join(here, "../../extensions/backorder-notice/assets/backorder-notice.js");

export async function buildNoticeScript(): Promise<string> {
  const source = fs.readFileSync(NOTICE_SOURCE, "utf8");
  const out = await transform(source, { minify: true, target: "es2020", legalComments: "none" });
  return out.code;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const code = await buildNoticeScript();
  fs.writeFileSync(NOTICE_ASSET, code);
  console.log(`${path.relative(process.cwd(), NOTICE_ASSET)}: ${Buffer.byteLength(code)} bytes`);
}
