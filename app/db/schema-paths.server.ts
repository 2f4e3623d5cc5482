// Where each provider's schema, migrations and generated client live.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export type Provider = "sqlite" | "postgres";

export const providerOf = (url: string): Provider => (/^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite");

export const schemaPath = (p: Provider) =>
  p === "sqlite" ? path.join(root, "prisma", "schema.prisma") : path.join(root, "prisma", "postgres", "schema.prisma");

export const migrationsDir = (p: Provider) =>
  p === "sqlite" ? path.join(root, "prisma", "migrations") : path.join(root, "prisma", "postgres", "migrations");
