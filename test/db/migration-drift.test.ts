// The migrations must build exactly the database prisma/schema.prisma describes, on both
// providers. `prisma migrate diff --from-migrations` needs a shadow database the driver
// adapters cannot give it, so the check is done by hand: one fresh database gets every
// migration (as deployments do, through apply-migrations), another gets the SQL Prisma
// writes for the schema from empty, and their catalogs (columns, indexes, constraints)
// must be the same. The snapshot `npm run db:migration` diffs from must match the schema too.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrationsDir, schemaPath } from "../../app/db/schema-paths.server.ts";
import { placeholderUrl } from "../../scripts/db/placeholder-url.ts";
import { postgresSchemaText } from "../../scripts/db/postgres-schema.ts";
import { prisma } from "../../scripts/db/prisma-cli.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";

const provider = testProvider();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bq-drift-"));
const databases: TestDatabase[] = [];

afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The schema for this provider, written from prisma/schema.prisma's text (optionally changed). */
function schemaFile(name: string, edit: (s: string) => string = (s) => s): string {
  const source = edit(fs.readFileSync(schemaPath("sqlite"), "utf8"));
  const file = path.join(tmp, `${name}.prisma`);
  fs.writeFileSync(file, provider === "postgres" ? postgresSchemaText(source) : source);
  return file;
}

const fromEmptyScript = (schema: string) =>
  prisma(["migrate", "diff", "--from-empty", "--to-schema-datamodel", schema, "--script"], placeholderUrl(provider), {
    capture: true,
  });

async function runScript(url: string, sql: string): Promise<void> {
  if (provider === "postgres") {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
    return;
  }
  const c = createClient({ url });
  try {
    await c.executeMultiple(sql);
  } finally {
    c.close();
  }
}

async function database(migrate: boolean): Promise<TestDatabase> {
  const d = await createTestDatabase("drift", { migrate });
  databases.push(d);
  return d;
}

/** A database built from a schema file by the SQL Prisma writes for it. */
async function databaseFromSchema(schema: string): Promise<string> {
  const d = await database(false);
  await runScript(d.url, fromEmptyScript(schema));
  return d.url;
}

/** The database's tables, columns, indexes and constraints, one sorted line each (Prisma's bookkeeping left out). */
async function catalog(url: string): Promise<string[]> {
  const lines: string[] = [];
  if (provider === "postgres") {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const q = async (sql: string) => (await c.query<Record<string, unknown>>(sql)).rows;
      for (const r of await q(`SELECT table_name, column_name, udt_name, is_nullable, column_default
          FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations'`))
        lines.push(`column ${r.table_name}.${r.column_name} ${r.udt_name} nullable=${r.is_nullable} default=${r.column_default}`);
      for (const r of await q(`SELECT tablename, indexdef FROM pg_indexes
          WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`))
        lines.push(`index ${r.tablename}: ${r.indexdef}`);
      for (const r of await q(`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text NOT LIKE '%_prisma_migrations%'`))
        lines.push(`constraint ${r.tbl}.${r.conname}: ${r.def}`);
      for (const r of await q(`SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
          WHERE t.typnamespace = current_schema()::regnamespace`))
        lines.push(`enum ${r.typname} ${r.enumlabel}`);
    } finally {
      await c.end();
    }
    return lines.sort();
  }
  const c = createClient({ url });
  try {
    const q = async (sql: string) => (await c.execute(sql)).rows;
    const tables = await q(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
    );
    for (const { name } of tables) {
      const t = String(name);
      lines.push(`table ${t}`);
      for (const r of await q(`PRAGMA table_info("${t}")`))
        lines.push(`column ${t}.${r.name} ${r.type} notnull=${r.notnull} default=${r.dflt_value} pk=${r.pk}`);
      // Primary keys are in pk= above; their automatic index's name depends on how the table was made.
      for (const ix of await q(`PRAGMA index_list("${t}")`)) {
        if (ix.origin === "pk") continue;
        const cols = (await q(`PRAGMA index_info("${ix.name}")`)).map((r) => r.name).join(",");
        lines.push(`index ${t}.${ix.name} unique=${ix.unique} (${cols})`);
      }
      for (const r of await q(`PRAGMA foreign_key_list("${t}")`))
        lines.push(`foreign key ${t}.${r.from} -> ${r.table}.${r.to} delete=${r.on_delete} update=${r.on_update}`);
    }
  } finally {
    c.close();
  }
  return lines.sort();
}

describe(`migrations against prisma/schema.prisma (${provider})`, () => {
  let migrated: string[];

  it("the migrations build the database the schema describes", async () => {
    migrated = await catalog((await database(true)).url);
    const described = await catalog(await databaseFromSchema(schemaFile("schema")));
    expect(described.length).toBeGreaterThan(50);
    expect(migrated).toEqual(described);
  });

  it("a schema change without its migration is caught", async () => {
    // Proves the comparison sees a drift: a new column and index that no migration adds.
    const changed = schemaFile("changed", (s) => {
      const out = s.replace(/model FlowTriggerUse \{\n/, "model FlowTriggerUse {\n  driftProbe String?\n\n  @@index([driftProbe])\n");
      expect(out).not.toBe(s);
      return out;
    });
    const described = await catalog(await databaseFromSchema(changed));
    const extra = described.filter((l) => !migrated.includes(l));
    expect(extra.length).toBe(2);
    expect(extra.every((l) => l.includes("driftProbe"))).toBe(true);
  });

  it("the snapshot the next migration is diffed from matches the schema", () => {
    const snapshot = path.join(migrationsDir(provider), "schema.snapshot.prisma");
    const sql = prisma(
      ["migrate", "diff", "--from-schema-datamodel", snapshot, "--to-schema-datamodel", schemaFile("schema"), "--script"],
      placeholderUrl(provider),
      { capture: true },
    );
    expect(sql).not.toMatch(/CREATE|ALTER|DROP/i);
  });
});
