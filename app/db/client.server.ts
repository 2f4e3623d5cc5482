// One Prisma client per process, on the driver adapter that DATABASE_URL names.
// Both generated clients come from the same schema; the SQLite one's types are
// used everywhere (the models are provider-neutral by design).
import { createClient, type Client, type Config, type TransactionMode } from "@libsql/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient as SqliteClient } from "../../prisma/generated/sqlite/index.js";
import { PrismaClient as PostgresClient } from "../../prisma/generated/postgres/index.js";
import { escapeLikeOn } from "./sqlite-like-escape.ts";
import { providerOf } from "./url.ts";
import { runtimeConfig } from "../config.server.ts";

export type Db = SqliteClient;
export type { Prisma } from "../../prisma/generated/sqlite/index.js";

/** How long a write waits for another connection's write lock before it fails (SQLITE_BUSY). */
export const SQLITE_BUSY_TIMEOUT_MS = 15_000;
/**
 * How much of that wait SQLite itself may spend inside one call. libsql's calls are synchronous:
 * a long busy wait there stalls the whole thread, and in the web process that is every request
 * (under 64 webhook senders sharing the file with the worker, acknowledgements took 30 s). So
 * SQLite waits briefly, and the rest of the wait is ours, asynchronous, between attempts.
 */
export const SQLITE_SYNC_WAIT_MS = 50;

/**
 * The adapter on our @libsql/client: the one it bundles (0.8) has no busy timeout, so a
 * second process writing to the file fails at once with SQLITE_BUSY.
 */
class LibSqlWithBusyTimeout extends PrismaLibSQL {
  /** The client Prisma queries through, once it has connected (see libsqlClientOf). */
  client: Client | null = null;

  constructor(private readonly config: Config) {
    super({ url: config.url });
  }
  override createClient(base: { url: string }) {
    const client = escapeLikeOn(createClient({ ...this.config, url: base.url, timeout: SQLITE_SYNC_WAIT_MS }));
    if (base.url === this.config.url) this.client = client;
    // Prisma opens interactive transactions DEFERRED: one that reads, then writes after
    // another process committed, fails at once (SQLITE_BUSY_SNAPSHOT, no busy wait).
    // BEGIN IMMEDIATE takes the write lock first, waiting for it instead.
    const transaction = client.transaction.bind(client);
    client.transaction = waitWhileBusy(client, (mode?: TransactionMode) =>
      transaction(mode === "read" ? "read" : "write").then(escapeLikeOn),
    );
    // Statements outside a transaction (autocommit): one that found the file locked did nothing.
    client.execute = waitWhileBusy(client, client.execute.bind(client));
    client.batch = waitWhileBusy(client, client.batch.bind(client));
    client.executeMultiple = waitWhileBusy(client, client.executeMultiple.bind(client));
    return client as unknown as ReturnType<PrismaLibSQL["createClient"]>;
  }
}

const isBusy = (e: unknown) => String((e as { code?: unknown } | null)?.code ?? "").startsWith("SQLITE_BUSY");
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries a call that found the file locked (it did nothing: BEGIN IMMEDIATE or an autocommit
 * statement) until SQLITE_BUSY_TIMEOUT_MS has passed, pausing a few milliseconds between
 * attempts so the thread serves other work meanwhile. After each busy failure the client's
 * connections are reopened: libsql leaves the failed statement active on its connection until
 * it is garbage-collected, and until then every COMMIT there fails ("SQL statements in
 * progress"). Prisma's adapter makes one call at a time on its client, so none is in use.
 */
function waitWhileBusy<A extends unknown[], R>(client: Client, call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    const giveUpAt = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
    for (;;) {
      try {
        return await call(...args);
      } catch (e) {
        if (!isBusy(e)) throw e;
        await client.reconnect();
        if (Date.now() >= giveUpAt) throw e;
        await pause(2 + Math.random() * 8);
      }
    }
  };
}

/** The pg pool under each PostgreSQL client made by createDb (see pgPoolOf). */
const pgPools = new WeakMap<object, pg.Pool>();

/**
 * The pool a PostgreSQL client's adapter queries through, for the few hot statements sent
 * without Prisma (its Wasm query compiler compiles even a raw statement on every call); null on
 * SQLite, or once the client has been disconnected (it ends the pool; Prisma itself would
 * reconnect with a pool of its own, so callers fall back to Prisma).
 */
export function pgPoolOf(client: Db): pg.Pool | null {
  const pool = pgPools.get(client);
  return pool && !pool.ending && !pool.ended ? pool : null;
}

/** The libsql adapter under each SQLite client made by createDb (see libsqlClientOf). */
const libsqlAdapters = new WeakMap<object, LibSqlWithBusyTimeout>();

/**
 * The libsql client a SQLite client's adapter queries through (its calls wait out a busy file as
 * Prisma's do), for the few hot statements sent without Prisma; null on PostgreSQL, before
 * Prisma has connected, or once it has been disconnected (callers fall back to Prisma). Unlike
 * Prisma's own calls, these do not queue behind an interactive transaction of this client: the
 * transaction holds its own connection, and a write meanwhile waits for its lock (busy).
 */
export function libsqlClientOf(client: Db): Client | null {
  const c = libsqlAdapters.get(client)?.client;
  return c && !c.closed ? c : null;
}

export function createDb(url: string = runtimeConfig().databaseUrl): Db {
  if (providerOf(url) === "postgres") {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10, // a small pool per process
      // A server that does not answer fails the query instead of hanging it, so the worker's
      // loops see the outage, back off and try again.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      // Idle connections do not keep a stopping process alive (graceful shutdown).
      allowExitOnIdle: true,
    });
    // Ours, handed to the adapter (which ends it on $disconnect), so statements sent on it
    // share the client's connections.
    const adapter = new PrismaPg(pool, { disposeExternalPool: true });
    const client = new PostgresClient({ adapter }) as unknown as Db;
    pgPools.set(client, pool);
    return client;
  }
  // The web process and `npm run worker` share the file: wait for the other's write lock
  // (libsql fails at once by default) rather than fail the webhook or the event.
  const adapter = new LibSqlWithBusyTimeout({ url, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const client = new SqliteClient({ adapter });
  libsqlAdapters.set(client, adapter);
  return client;
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
