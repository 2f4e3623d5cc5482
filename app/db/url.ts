// DATABASE_URL picks the database: `postgres://` or `postgresql://` for PostgreSQL,
// anything else (`file:...`) is SQLite through libsql. Unset: the embedded default.
import fs from "node:fs";
import path from "node:path";

export type Provider = "sqlite" | "postgres";

export const providerOf = (url: string): Provider => (/^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite");

/** A SQLite file in ./data (created if missing): the app's by default, or another tool's own. */
export function defaultDatabaseUrl(file = "backorder-queue.sqlite"): string {
  const dir = path.resolve(process.cwd(), "data");
  fs.mkdirSync(dir, { recursive: true });
  return `file:${path.join(dir, file)}`;
}

export const databaseUrl = (env: Record<string, string | undefined> = process.env): string => env.DATABASE_URL || defaultDatabaseUrl();
