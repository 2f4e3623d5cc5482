// A fresh, migrated database per test file, on the provider TEST_DATABASE names
// (sqlite by default; postgres uses TEST_POSTGRES_URL's server). Real databases, no mocks.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { applyMigrations } from "../../app/db/apply-migrations.server.ts";
import { createDb, type Db } from "../../app/db/client.server.ts";

export type TestProvider = "sqlite" | "postgres";

export const testProvider = (): TestProvider => (process.env.TEST_DATABASE === "postgres" ? "postgres" : "sqlite");

export const postgresServerUrl = () => process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  provider: TestProvider;
  url: string;
  db: Db;
  /** Disconnects and deletes the database. */
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh database with all migrations applied (`migrate: false`: an empty one). */
export async function createTestDatabase(label = "t", opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = opts.migrate ?? true;
  const id = `${label.replace(/\W/g, "").slice(0, 20)}_${crypto.randomBytes(5).toString("hex")}`.toLowerCase();
  if (testProvider() === "postgres") {
    const admin = new pg.Client({ connectionString: postgresServerUrl() });
    await admin.connect();
    const name = `bq_test_${id}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    // A test's commits need not wait for the disk: the server stays up, and a slow or shared
    // disk (a CI machine's) would otherwise make every one of a test's commits an fsync wait.
    await admin.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
    await admin.end();
    const url = withDatabase(postgresServerUrl(), name);
    if (migrate) await applyMigrations(url);
    const db = createDb(url);
    return {
      provider: "postgres",
      url,
      db,
      async drop() {
        await db.$disconnect();
        const c = new pg.Client({ connectionString: postgresServerUrl() });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bq-test-"));
  const url = `file:${path.join(dir, `${id}.sqlite`)}`;
  if (migrate) await applyMigrations(url);
  const db = createDb(url);
  return {
    provider: "sqlite",
    url,
    db,
    async drop() {
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
