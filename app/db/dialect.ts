// Which database a client talks to, for the few places whose SQL or locking differs.
import type { Db, Tx } from "./client.server.ts";

export type Dialect = "sqlite" | "postgres";

/** The generated client records its provider; both the client and a transaction expose it. */
export function dialectOf(client: Db | Tx): Dialect {
  return (client as { _activeProvider?: string })._activeProvider === "postgresql" ? "postgres" : "sqlite";
}
