// A database for one bench run, dropped afterwards: a temporary SQLite file, or a database
// of its own on the PostgreSQL server at TEST_POSTGRES_URL. Migrated before it is handed out.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { applyMigrations } from "../../app/db/apply-migrations.server.ts";

export type BenchProvider = "sqlite" | "postgres";

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function throwawayDatabase(provider: BenchProvider, label = "bench"): Promise<ThrowawayDatabase> {
  const database = provider === "sqlite" ? sqliteFile(label) : await postgresDatabase(label);
  await applyMigrations(database.url);
  return database;
}

function sqliteFile(label: string): ThrowawayDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bq-${label}-`));
  return { url: `file:${path.join(dir, `${label}.sqlite`)}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function postgresDatabase(label: string): Promise<ThrowawayDatabase> {
  const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const name = `bq_${label}_${crypto.randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
