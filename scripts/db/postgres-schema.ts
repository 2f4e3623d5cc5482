// Derives prisma/postgres/schema.prisma from the SQLite source of truth, so the
// two providers can never drift apart. The output is generated (not committed).
import fs from "node:fs";
import path from "node:path";
import { schemaPath } from "../../app/db/schema-paths.server.ts";

/** The PostgreSQL schema's text for a SQLite schema's text. */
export function postgresSchemaText(source: string): string {
  const derived = source
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output     = "generated/sqlite"', 'output     = "../generated/postgres"');
  if (derived === source || !derived.includes('"postgresql"') || !derived.includes("generated/postgres")) {
    throw new Error('prisma/schema.prisma: expected datasource provider "sqlite" and output "generated/sqlite"');
  }
  return "// GENERATED from prisma/schema.prisma by scripts/db/postgres-schema.ts. Do not edit.\n" + derived;
}

export function writePostgresSchema(): string {
  const target = schemaPath("postgres");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, postgresSchemaText(fs.readFileSync(schemaPath("sqlite"), "utf8")));
  return target;
}
