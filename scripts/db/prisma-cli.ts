// Runs the Prisma CLI with DATABASE_URL always set (without it some commands try
// to download the native engine, which fails offline).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { root } from "../../app/db/schema-paths.server.ts";

export function prisma(args: string[], databaseUrl: string, opts: { capture?: boolean } = {}): string {
  const bin = path.join(root, "node_modules", "prisma", "build", "index.js");
  const out = execFileSync(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: opts.capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
  });
  return out ?? "";
}
