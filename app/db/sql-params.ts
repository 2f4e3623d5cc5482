// Placeholders for hand-written SQL, in the dialect's style: SQLite's `?` are positional,
// PostgreSQL's numbered, so values are collected in the order their marks appear.
import type { Dialect } from "./dialect.ts";

/** Collects parameters and hands out the dialect's placeholders, in order. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(readonly dialect: Dialect) {}
  /** One value's mark; `cast` (PostgreSQL only) types it, e.g. "timestamp(3)". */
  p(value: unknown, cast?: string): string {
    this.values.push(value);
    if (this.dialect !== "postgres") return "?";
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
  /** The marks of an `IN (…)` list, one per value. */
  list(values: readonly unknown[]): string {
    return values.map((v) => this.p(v)).join(", ");
  }
  /**
   * The inside of an `IN (…)` of integer ids, as one parameter: the client's compile of a query
   * costs a share per bound value, and SQLite takes 999 (decision 0039).
   */
  ids(values: readonly number[]): string {
    if (!values.every(Number.isSafeInteger)) throw new Error("ids: integers only");
    if (this.dialect !== "postgres") return `SELECT "value" FROM json_each(${this.p(JSON.stringify(values))})`;
    return `SELECT unnest(${this.p(`{${values.join(",")}}`, "int[]")})`;
  }
}
