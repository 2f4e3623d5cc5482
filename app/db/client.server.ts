// One Prisma client per process, on the driver adapter that DATABASE_URL names.
// Both generated clients come from the same schema; the SQLite one's types are
// used everywhere (the models are provider-neutral by design).
import { createClient, type Client, type Config, type TransactionMode } from "@libsql/client";
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
    client.transaction = reopenAfterBusy(client, (mode?: TransactionMode) =>
      transaction(mode === "read" ? "read" : "write").then(escapeLikeOn));
    client.execute = reopenAfterBusy(client, client.execute.bind(client));
    client.batch = reopenAfterBusy(client, client.batch.bind(client));
    client.executeMultiple = reopenAfterBusy(client, client.executeMultiple.bind(client));
    return client as unknown as ReturnType<PrismaLibSQL["createClient"]>;
  }
}

const isBusy = (e: unknown) => String((e as { code?: unknown } | null)?.code ?? "").startsWith("SQLITE_BUSY");

/**
 * libsql leaves a statement that failed with SQLITE_BUSY (the other process kept the lock
 * past the busy timeout) active on its connection until it is garbage-collected; until then
 * every COMMIT on that connection fails ("SQL statements in progress"), and the process
 * never recovers from one busy moment. So after a busy failure the client's connections
 * are reopened. Prisma's adapter makes one call at a time on its client, so none is in use.
 */
function reopenAfterBusy<A extends unknown[], R>(client: Client, call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await call(...args);
    } catch (e) {
      if (isBusy(e)) await client.reconnect();
      throw e;
    }
  };
}

export function createDb(url: string = databaseUrl()): Db {
  if (providerOf(url) === "postgres") {
    const adapter = new PrismaPg({
      connectionString: url,
      max: 10, // a small pool per process
      // A server that does not answer fails the query instead of hanging it, so the worker's
      // loops see the outage, back off and try again.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      // Idle connections do not keep a stopping process alive (graceful shutdown).
      allowExitOnIdle: true,
    });
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
