// A URL for the Prisma CLI commands (generate, diff): tooling only, so it may read the
// environment directly, unlike the app.
import os from "node:os";
import path from "node:path";
import type { Provider } from "../../app/db/schema-paths.server.ts";

/**
 * A URL for Prisma CLI commands that need one set but do not change data (generate,
 * diff). The adapter for PostgreSQL connects even for a diff, so that one is real.
 */
export const placeholderUrl = (p: Provider) =>
  p === "sqlite"
    ? `file:${path.join(os.tmpdir(), "backorder-queue-placeholder.sqlite")}`
    : (process.env.POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
