// The migration to per-hold records and the hold setting keeps what a shop had: the
// fulfillment orders the app held become OrderHold rows (hold ids unknown, looked up by
// handle on release), holds turned off stay off, holds on become holds on the backordered
// units. On the provider under test, from a database migrated up to the one before.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../app/db/apply-migrations.server.ts";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { postgresServerUrl, testProvider } from "../support/db.ts";

const MIGRATION = "20261130153038_order_holds_and_hold_mode";
const HELD = ["gid://shopify/FulfillmentOrder/11", "gid://shopify/FulfillmentOrder/12"];

let url: string;
let raw: (sql: string) => Promise<void>;
let cleanup: () => Promise<void>;
let db: Db;

beforeAll(async () => {
  const id = crypto.randomBytes(5).toString("hex");
  if (testProvider() === "postgres") {
    const name = `bq_test_holds_migration_${id}`;
    const admin = new pg.Client({ connectionString: postgresServerUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(postgresServerUrl());
    u.pathname = `/${name}`;
    url = u.toString();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    raw = async (sql) => void (await client.query(sql));
    cleanup = async () => {
      await client.end();
      const c = new pg.Client({ connectionString: postgresServerUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bq-test-"));
    url = `file:${path.join(dir, `holds_migration_${id}.sqlite`)}`;
    const client = createClient({ url });
    raw = async (sql) => void (await client.executeMultiple(sql));
    cleanup = async () => {
      client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  // Everything up to the migration under test: it is marked applied, then unmarked.
  const timestamp = testProvider() === "postgres" ? "TIMESTAMPTZ" : "DATETIME";
  await raw(`CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" ${timestamp},
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" ${timestamp}, "started_at" ${timestamp} NOT NULL DEFAULT CURRENT_TIMESTAMP, "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
  await raw(
    `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name") VALUES ('skip', 'x', CURRENT_TIMESTAMP, '${MIGRATION}')`,
  );
  expect(await applyMigrations(url)).not.toContain(MIGRATION);
  const bool = (b: boolean) => (testProvider() === "postgres" ? String(b) : b ? "1" : "0");
  await raw(
    `INSERT INTO "ShopSettings" ("shop", "holdFulfillment") VALUES ('on.myshopify.com', ${bool(true)}), ('off.myshopify.com', ${bool(false)})`,
  );
  await raw(`INSERT INTO "SyncedOrder" ("shop", "orderId", "tagged", "heldFulfillmentOrders", "syncedAt") VALUES
    ('on.myshopify.com', '501', ${bool(true)}, '${JSON.stringify(HELD)}', '2026-11-01 10:00:00'),
    ('on.myshopify.com', '502', ${bool(true)}, '[]', '2026-11-01 10:00:00')`);
  await raw(`DELETE FROM "_prisma_migrations" WHERE "id" = 'skip'`);
  expect(await applyMigrations(url)).toEqual([MIGRATION]);
  db = createDb(url);
});
afterAll(async () => {
  await db?.$disconnect();
  await cleanup?.();
});

describe("migration to OrderHold and holdMode", () => {
  it("turns each held fulfillment order into a hold record, to be looked up by handle", async () => {
    const rows = await db.orderHold.findMany({ orderBy: { fulfillmentOrderId: "asc" } });
    expect(rows.map((r) => [r.shop, r.orderId, r.fulfillmentOrderId, r.holdId, r.releaseError])).toEqual(
      HELD.map((fo) => ["on.myshopify.com", "501", fo, null, null]),
    );
    expect(await db.syncedOrder.count()).toBe(2);
  });

  it("keeps holds off where they were off; on becomes the backordered units only", async () => {
    const settings = await db.shopSettings.findMany({ orderBy: { shop: "asc" }, select: { shop: true, holdMode: true } });
    expect(settings).toEqual([
      { shop: "off.myshopify.com", holdMode: "off" },
      { shop: "on.myshopify.com", holdMode: "lines" },
    ]);
  });
});
