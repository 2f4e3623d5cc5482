// Derives prisma/postgres/schema.prisma from the SQLite source of truth, so the
// two providers can never drift apart. The output is generated (not committed).
import fs from "node:fs";
import path from "node:path";
import { schemaPath } from "../../app/db/schema-paths.server.ts";

export function writePostgresSchema(): string {
  const source = fs.readFileSync(schemaPath("sqlite"), "utf8");
  const derived = source
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output     = "generated/sqlite"', 'output     = "../generated/postgres"');
  if (derived === source || !derived.includes('"postgresql"') || !derived.includes("generated/postgres")) {
    throw new Error('prisma/schema.prisma: expected datasource provider "sqlite" and output "generated/sqlite"');
  }
  const header = "// GENERATED from prisma/schema.prisma by scripts/db/postgres-schema.ts. Do not edit.\n";
  const target = schemaPath("postgres");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, header + derived);
  return target;
}
