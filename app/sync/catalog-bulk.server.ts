// The catalog of a large shop through one Shopify bulk operation: bulkOperationRunQuery
// with CATALOG_BULK_VARIANTS, polled until Shopify has written the JSONL result, which is
// then read as a stream and applied in chunks through the engine's apply path. Never the
// whole file in memory.
//
// Resumable: the operation's id and the number of result lines applied are kept in
// CatalogBulkSync; each chunk moves that count in the same transaction that applies it.
// A restart (crash, deploy, a lease that ran out) polls the same operation and skips the
// lines already applied. The count also fences two runners: a chunk commits only if the
// count is still where its runner read it, so no line is applied twice and the slower
// runner stops. A FAILED operation is dropped with its error code and the retry starts a
// new one (ACCESS_DENIED is permanent: retrying cannot grant a scope).
import type { InventoryLevelEvent, ProductEvent } from "../backorder/events.ts";
import type { Db } from "../db/client.server.ts";
import { dialectOf } from "../db/dialect.ts";
import { SQLITE_CHUNK_GAP_MS } from "../worker/worker.server.ts";
import { applyCatalogEvents } from "../engine/apply-event.server.ts";
import { CATALOG_BULK_VARIANTS } from "../shopify/admin-queries.ts";
import { AdminApiError } from "../shopify/admin-errors.ts";
import {
  BULK_OPERATION_STATUS,
  ENDED_BULK_OPERATION_STATUSES,
  type AdminGateway,
  type BulkOperationView,
} from "../shopify/admin-operations.server.ts";
import { addVariant, levelEvent, type CatalogLevel, type CatalogVariant } from "./catalog-events.ts";
import { syncAfterApply } from "./hooks.server.ts";

export interface CatalogSyncResult {
  /** paged: Shopify's pages only (a small catalog); bulk: through a bulk operation. */
  via: "paged" | "bulk";
  variants: number;
  levels: number;
  /** Paged: pages read; bulk: chunks applied by this run. */
  pages: number;
  /** Bulk: the JSONL lines this run applied, and the line it started from (0 unless resumed). */
  lines?: number;
  resumedFromLine?: number;
  operationId?: string;
}

export interface BulkCatalogOptions {
  /** JSONL lines per transaction (a variant or an inventory level each). */
  chunkLines?: number;
  /** Polls of the operation start this far apart and back off to `pollMaxMs`. */
  pollMs?: number;
  pollMaxMs?: number;
  /**
   * How long one run waits for Shopify to finish the operation before it gives up for now
   * (a transient error: the task's retry polls the same operation again). Below the
   * catalog task's lease, so a waiting runner is not taken for a crashed one.
   */
  maxWaitMs?: number;
}

export const BULK_CHUNK_LINES = 500;

/** Another runner moved the sync on meanwhile (this one's lease ran out): it stops, nothing is lost. */
export class CatalogSyncSuperseded extends Error {
  override name = "CatalogSyncSuperseded";
}

export async function runBulkCatalogSync(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  now: Date,
  opts: BulkCatalogOptions = {},
): Promise<CatalogSyncResult> {
  let state = await db.catalogBulkSync.findUnique({ where: { shop } });
  if (!state) {
    const started = await gateway.runBulkQuery(CATALOG_BULK_VARIANTS);
    // An upsert: a runner still holding an older operation is fenced off by the new id.
    state = await db.catalogBulkSync.upsert({
      where: { shop },
      create: { shop, operationId: started.id, linesApplied: 0, startedAt: now },
      update: { operationId: started.id, linesApplied: 0, startedAt: now },
    });
  }
  const { operationId } = state;
  const operation = await finishedOperation(db, gateway, shop, operationId, opts);

  const result: CatalogSyncResult = {
    via: "bulk",
    variants: 0,
    levels: 0,
    pages: 0,
    lines: 0,
    resumedFromLine: state.linesApplied,
    operationId,
  };
  const afterApply = syncAfterApply({ now: () => now, debounceMs: 0 });
  const chunkLines = opts.chunkLines ?? BULK_CHUNK_LINES;
  let applied = state.linesApplied;
  let chunk: string[] = [];
  const flush = async () => {
    const counts = await applyChunk(db, shop, operationId, applied, chunk, afterApply);
    applied += chunk.length;
    result.lines! += chunk.length;
    result.variants += counts.variants;
    result.levels += counts.levels;
    result.pages++;
    chunk = [];
    // On SQLite the web process's webhook inserts wait for the write lock: let them in.
    if (dialectOf(db) === "sqlite") await new Promise((r) => setTimeout(r, SQLITE_CHUNK_GAP_MS));
  };
  // No url: the operation found nothing (an empty catalog).
  if (operation.url) {
    let line = 0;
    for await (const text of gateway.resultLines(operation.url)) {
      if (++line <= state.linesApplied) continue; // applied by an earlier run
      chunk.push(text);
      if (chunk.length >= chunkLines) await flush();
    }
    if (chunk.length) await flush();
  }
  // Done: the next catalog sync starts a new operation.
  await db.catalogBulkSync.deleteMany({ where: { shop, operationId } });
  return result;
}

/** Polls the operation until Shopify has finished it; throws (and forgets it) when it did not complete. */
async function finishedOperation(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  id: string,
  opts: BulkCatalogOptions,
): Promise<BulkOperationView> {
  const deadline = gateway.now() + (opts.maxWaitMs ?? 45 * 60_000);
  let wait = opts.pollMs ?? 1000;
  for (;;) {
    const op = await gateway.bulkOperation(id);
    if (op?.status === BULK_OPERATION_STATUS.completed) return op;
    const forget = () => db.catalogBulkSync.deleteMany({ where: { shop, operationId: id } });
    if (!op) {
      await forget();
      throw new AdminApiError(
        `catalog bulk operation ${id} is unknown to Shopify; a new one starts on retry`,
        false,
        "CatalogBulkVariants",
      );
    }
    if (ENDED_BULK_OPERATION_STATUSES.has(op.status)) {
      await forget();
      const code = op.errorCode ? ` (${op.errorCode})` : "";
      // ACCESS_DENIED: the installed scopes do not cover the query; retrying cannot help.
      const permanent = op.errorCode === "ACCESS_DENIED";
      throw new AdminApiError(
        `catalog bulk operation ${id} ${op.status}${code} after ${op.objectCount} objects${permanent ? "" : "; a new one starts on retry"}`,
        permanent,
        "CatalogBulkVariants",
        op,
      );
    }
    if (gateway.now() >= deadline) {
      throw new AdminApiError(
        `catalog bulk operation ${id} still ${op.status} after ${op.objectCount} objects; polled again on retry`,
        false,
        "CatalogBulkVariants",
      );
    }
    await gateway.sleep(wait);
    wait = Math.min(opts.pollMaxMs ?? 15_000, Math.ceil(wait * 1.5));
  }
}

interface BulkLine {
  id?: unknown;
}

/** Applies result lines [from, from + lines.length) in one transaction, moving the count with them. */
async function applyChunk(
  db: Db,
  shop: string,
  operationId: string,
  from: number,
  lines: string[],
  afterApply: ReturnType<typeof syncAfterApply>,
) {
  const products = new Map<string, ProductEvent>();
  const levels: InventoryLevelEvent[] = [];
  lines.forEach((text, i) => {
    const o = JSON.parse(text) as BulkLine;
    const type = typeof o.id === "string" ? /^gid:\/\/shopify\/(\w+)\//.exec(o.id)?.[1] : undefined;
    if (type === "ProductVariant") {
      const v = o as CatalogVariant & { inventoryItem: { id: string } | null };
      addVariant(products, v, v.inventoryItem?.id ?? null);
    } else if (type === "InventoryLevel") {
      const l = o as CatalogLevel & { item: { id: string } };
      const e = levelEvent(l.item.id, l);
      if (e) levels.push(e);
    } else {
      throw new AdminApiError(
        `catalog bulk result line ${from + i + 1}: not a variant or an inventory level: ${text.slice(0, 200)}`,
        true,
        "CatalogBulkVariants",
      );
    }
  });
  await db.$transaction(
    async (tx) => {
      // First, so a second runner on the same lines waits here (PostgreSQL's row lock) and then finds the count moved.
      const moved = await tx.catalogBulkSync.updateMany({
        where: { shop, operationId, linesApplied: from },
        data: { linesApplied: from + lines.length },
      });
      if (moved.count !== 1)
        throw new CatalogSyncSuperseded(`catalog sync of ${shop}: lines from ${from + 1} were applied by another runner; this one stops`);
      // Variants first: a level's inventory item maps to its variant in the same chunk or an earlier one (children follow their parent).
      const affected = await applyCatalogEvents(tx, shop, [...products.values()], levels, "catalog/sync");
      await afterApply(tx, shop, affected);
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  return { variants: [...products.values()].reduce((n, p) => n + p.variants.length, 0), levels: levels.length };
}
