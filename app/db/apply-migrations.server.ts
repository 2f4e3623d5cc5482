// Applies prisma/**/migrations in order to DATABASE_URL, recording them in
// `_prisma_migrations` exactly as Prisma does (same table, same sha256 checksum),
// so `prisma migrate deploy` on a machine with the native engine sees them as applied.
// Needed because `prisma migrate deploy` through the PostgreSQL driver adapter fails
// (prisma/orm#27403); used for SQLite too so both providers take the same path.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createClient } from "@libsql/client";
import pg from "pg";
import { migrationsDir, providerOf } from "./schema-paths.server.ts";

interface Executor {
  /** Runs statements; one migration's statements run in one transaction. */
  migrate(sql: string, record: { id: string; checksum: string; name: string }): Promise<void>;
  applied(): Promise<Set<string>>;
  close(): Promise<void>;
}

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;

const PG_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

async function sqliteExecutor(url: string): Promise<Executor> {
  const client = createClient({ url });
  // WAL (kept in the file): the web process and `npm run worker` can both use it; readers
  // never block the writer's commit, so a writer waiting on the busy timeout cannot deadlock.
  await client.execute("PRAGMA journal_mode = WAL");
  await client.execute(SQLITE_TABLE);
  return {
    async applied() {
      const rs = await client.execute(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      return new Set(rs.rows.map((r) => String(r.migration_name)));
    },
    async migrate(sql, rec) {
      // executeMultiple cannot bind, so the record goes in as literals (all ours: hex and folder names).
      const esc = (s: string) => s.replace(/'/g, "''");
      await client.executeMultiple(
        `BEGIN;\n${sql}\n;INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
         VALUES ('${esc(rec.id)}', '${esc(rec.checksum)}', current_timestamp, '${esc(rec.name)}', 1, current_timestamp);\nCOMMIT;`,
      );
    },
    async close() {
      client.close();
    },
  };
}

async function postgresExecutor(url: string): Promise<Executor> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Same advisory lock key Prisma uses, so two deploys never interleave.
  await client.query("SELECT pg_advisory_lock(72707369)");
  await client.query(PG_TABLE);
  return {
    async applied() {
      const rs = await client.query<{ migration_name: string }>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      return new Set(rs.rows.map((r) => r.migration_name));
    },
    async migrate(sql, rec) {
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
           VALUES ($1, $2, now(), $3, 1, now())`,
          [rec.id, rec.checksum, rec.name],
        );
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw e;
      }
    },
    async close() {
      await client.query("SELECT pg_advisory_unlock(72707369)");
      await client.end();
    },
  };
}

/** Applies pending migrations; returns the names applied now. */
export async function applyMigrations(url: string): Promise<string[]> {
  const provider = providerOf(url);
  const dir = migrationsDir(provider);
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const exec = provider === "postgres" ? await postgresExecutor(url) : await sqliteExecutor(url);
  const appliedNow: string[] = [];
  try {
    const done = await exec.applied();
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      try {
        await exec.migrate(sql, { id: crypto.randomUUID(), checksum, name });
      } catch (e) {
        throw new Error(`migration ${name} failed on ${provider}: ${(e as Error).message}`);
      }
      appliedNow.push(name);
    }
  } finally {
    await exec.close();
  }
  return appliedNow;
}
