// A chunk's new lines: inserted with multi-row INSERTs sent as SQL (decision 0029), and kept
// out of the table until the derivation that follows has given them their state, so that each
// is written once, derived, instead of inserted pending and then updated (decision 0036).
import type { Prisma, Tx } from "../db/client.server.ts";
import { chunks } from "../db/chunks.ts";
import { dialectOf } from "../db/dialect.ts";
import { jsonRows } from "../db/values-list.ts";

type LineRow = Omit<Prisma.BackorderLineCreateManyInput, "shop" | "lineItemId" | "state">;

/** Fields of a line that the order snapshot sets (everything else is derived or observed). */
export const SNAPSHOT_FIELDS = [
  "orderId",
  "orderName",
  "orderedAt",
  "variantId",
  "productId",
  "title",
  "sku",
  "snapshotQuantity",
  "snapshotOpenQuantity",
  "quantity",
  "openQuantity",
  "cancelledAt",
  "unitPrice",
  "currency",
  "customerId",
  "customerName",
  "customerEmail",
] as const satisfies readonly (keyof LineRow)[];

/** What a derivation writes on a line (updateDerivedLines' columns). */
const DERIVED_FIELDS = [
  "waitingQuantity",
  "locationId",
  "waitingParts",
  "backorderedAt",
  "allocatedAt",
  "fulfilledAt",
] as const satisfies readonly (keyof Prisma.BackorderLineCreateManyInput)[];

/** The columns a new line is inserted with (the others keep their defaults; `updatedAt` is set as @updatedAt would). */
const NEW_LINE_COLUMNS = [
  "shop",
  "lineItemId",
  "state",
  "assignedLocationId",
  "locationParts",
  ...SNAPSHOT_FIELDS,
  ...DERIVED_FIELDS,
] as const satisfies readonly (keyof Prisma.BackorderLineCreateManyInput)[];

/** New lines per INSERT (one JSON parameter): a chunk's in one. */
const NEW_LINES_PER_INSERT = 1_000;

export type NewLine = Prisma.BackorderLineCreateManyInput;

/**
 * Inserts lines (a column a row does not name is inserted null; `waitingQuantity` 0, its
 * default), without the client compiling a query of thousands of values first (decision 0029).
 */
export async function insertNewLines(tx: Tx, created: readonly NewLine[]) {
  const dialect = dialectOf(tx);
  const now = new Date();
  const names = [...NEW_LINE_COLUMNS, "updatedAt"];
  const columns = names.map((c) => `"${c}"`).join(", ");
  const row = (c: NewLine) => [...NEW_LINE_COLUMNS.map((f) => (f === "waitingQuantity" ? (c[f] ?? 0) : (c[f] ?? null))), now];
  for (const chunk of chunks(created, NEW_LINES_PER_INSERT)) {
    // One JSON parameter (decision 0039).
    const json = jsonRows(dialect, "BackorderLine", names, chunk.map(row));
    await tx.$executeRawUnsafe(`INSERT INTO "BackorderLine" (${columns}) ${json.select}`, json.param);
  }
}

/** A new line's derived change (recompute.server.ts, LineChange's data). */
export type DerivedData = Pick<Prisma.BackorderLineUpdateManyMutationInput, "state" | (typeof DERIVED_FIELDS)[number]>;

/**
 * The new lines of a chunk's facts, not yet in the table (decision 0036). Whatever reads lines
 * before the chunk's derivation must `store` them first (applyEvents does before any event
 * applied on its own; writeOrderLines before it writes a line it holds); the derivation
 * (recomputeVariants) reads them from here and inserts them derived (`insertDerived`), and
 * stores any it did not derive as they are, pending, so nothing stays out of the table.
 */
export class NewLines {
  private readonly lines = new Map<string, NewLine>();

  add(lines: readonly NewLine[]) {
    for (const l of lines) this.lines.set(l.lineItemId, l);
  }

  has(lineItemId: string): boolean {
    return this.lines.has(lineItemId);
  }

  get size(): number {
    return this.lines.size;
  }

  /** The held lines of a variant. */
  ofVariant(variantId: string): NewLine[] {
    return [...this.lines.values()].filter((l) => l.variantId === variantId);
  }

  /** How many lines are held per variant (all are pending, so all are read by a derivation). */
  countByVariant(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const l of this.lines.values()) counts.set(l.variantId, (counts.get(l.variantId) ?? 0) + 1);
    return counts;
  }

  /** Inserts the held lines (of the variants `which` names, or all) as the facts left them: pending. */
  async store(tx: Tx, which: (variantId: string) => boolean = () => true) {
    const out = [...this.lines.values()].filter((l) => which(l.variantId));
    for (const l of out) this.lines.delete(l.lineItemId);
    await insertNewLines(tx, out);
  }

  /**
   * Inserts the held lines that `changes` derive, with their derived columns (one write instead
   * of an INSERT and an UPDATE); returns the changes of the lines already in the table.
   */
  async insertDerived<C extends { lineItemId: string; data: DerivedData }>(tx: Tx, changes: readonly C[]): Promise<C[]> {
    const derived: NewLine[] = [];
    const stored: C[] = [];
    for (const c of changes) {
      const line = this.lines.get(c.lineItemId);
      if (!line) {
        stored.push(c);
        continue;
      }
      this.lines.delete(c.lineItemId);
      derived.push({ ...line, ...(c.data as Partial<NewLine>) });
    }
    await insertNewLines(tx, derived);
    return stored;
  }
}
