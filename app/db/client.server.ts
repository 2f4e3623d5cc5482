// One Prisma client per process, on the driver adapter that DATABASE_URL names.
// Both generated clients come from the same schema; the SQLite one's types are
// used everywhere (the models are provider-neutral by design).
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../../prisma/generated/sqlite/index.js";
import { PrismaClient as PostgresClient } from "../../prisma/generated/postgres/index.js";
import { databaseUrl, providerOf } from "./url.ts";

export type Db = SqliteClient;
export type { Prisma } from "../../prisma/generated/sqlite/index.js";

export function createDb(url: string = databaseUrl()): Db {
  if (providerOf(url) === "postgres") {
    // A small pool: the web process and the worker share it; SQLite serialises anyway.
    const adapter = new PrismaPg({ connectionString: url, max: 10 });
    return new PostgresClient({ adapter }) as unknown as Db;
  }
  return new SqliteClient({ adapter: new PrismaLibSQL({ url }) });
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
