// One Prisma client per process, on the driver adapter that DATABASE_URL names.
// Both generated clients come from the same schema; the SQLite one's types are
// used everywhere (the models are provider-neutral by design).
import { createClient, type Config, type TransactionMode } from "@libsql/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../../prisma/generated/sqlite/index.js";
import { PrismaClient as PostgresClient } from "../../prisma/generated/postgres/index.js";
import { escapeLikeOn } from "./sqlite-like-escape.ts";
import { databaseUrl, providerOf } from "./url.ts";

export type Db = SqliteClient;
export type { Prisma } from "../../prisma/generated/sqlite/index.js";

export const SQLITE_BUSY_TIMEOUT_MS = 15_000;

/**
 * The adapter on our @libsql/client: the one it bundles (0.8) has no busy timeout, so a
 * second process writing to the file fails at once with SQLITE_BUSY.
 */
class LibSqlWithBusyTimeout extends PrismaLibSQL {
  constructor(private readonly config: Config) {
    super({ url: config.url });
  }
  override createClient(base: { url: string }) {
    const client = escapeLikeOn(createClient({ ...this.config, url: base.url }));
    // Prisma opens interactive transactions DEFERRED: one that reads, then writes after
    // another process committed, fails at once (SQLITE_BUSY_SNAPSHOT, no busy wait).
    // BEGIN IMMEDIATE takes the write lock first, waiting on the busy timeout instead.
    const transaction = client.transaction.bind(client);
    client.transaction = ((mode?: TransactionMode) =>
      transaction(mode === "read" ? "read" : "write").then(escapeLikeOn)) as typeof client.transaction;
    return client as unknown as ReturnType<PrismaLibSQL["createClient"]>;
  }
}

export function createDb(url: string = databaseUrl()): Db {
  if (providerOf(url) === "postgres") {
    // A small pool: the web process and the worker share it; SQLite serialises anyway.
    const adapter = new PrismaPg({ connectionString: url, max: 10 });
    return new PostgresClient({ adapter }) as unknown as Db;
  }
  // The web process and `npm run worker` share the file: wait for the other's write lock
  // (libsql fails at once by default) rather than fail the webhook or the event.
  return new SqliteClient({ adapter: new LibSqlWithBusyTimeout({ url, timeout: SQLITE_BUSY_TIMEOUT_MS }) });
}

declare global {
  var __backorderDb: Db | undefined;
}

/** The process-wide client (kept across Remix dev reloads). */
export function db(): Db {
  globalThis.__backorderDb ??= createDb();
  return globalThis.__backorderDb;
}

/** A client or an interactive transaction: what data functions take, so callers choose the transaction. */
export type Tx = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
