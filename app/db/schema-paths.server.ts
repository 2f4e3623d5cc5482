// Where each provider's schema, migrations and generated client live.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export type Provider = "sqlite" | "postgres";

export const providerOf = (url: string): Provider => (/^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite");

export const schemaPath = (p: Provider) =>
  p === "sqlite" ? path.join(root, "prisma", "schema.prisma") : path.join(root, "prisma", "postgres", "schema.prisma");

export const migrationsDir = (p: Provider) =>
  p === "sqlite" ? path.join(root, "prisma", "migrations") : path.join(root, "prisma", "postgres", "migrations");

/**
 * A URL for Prisma CLI commands that need one set but do not change data (generate,
 * diff). The adapter for PostgreSQL connects even for a diff, so that one is real.
 */
export const placeholderUrl = (p: Provider) =>
  p === "sqlite"
    ? `file:${path.join(os.tmpdir(), "backorder-queue-placeholder.sqlite")}`
    : (process.env.POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
