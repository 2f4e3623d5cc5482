// app/scopes_update (shopify.app.toml subscribes to it): the shop's sessions carry the scopes
// the merchant has granted now. Real signed deliveries through the door and the worker; the
// payload as Shopify documents it: { id, previous, current, updated_at }.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { workerHooks } from "../../app/worker/worker-hooks.server.ts";

const SHOP = "scoped-tea.myshopify.com";
const OTHER = "other-tea.myshopify.com";
const OLD = ["read_orders", "read_products"];
const NEW = ["read_orders", "read_products", "read_all_orders"];

let t: TestDatabase;
let door: ReturnType<typeof webhookDoor>;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase("scopes_update");
  door = webhookDoor(t.db);
});
afterAll(() => t.drop());
beforeEach(async () => {
  await t.db.session.deleteMany({});
  await t.db.shopSettings.deleteMany({});
  await t.db.webhookInbox.deleteMany({});
  for (const shop of [SHOP, OTHER])
    await t.db.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: `shpat_${shop}`, scope: OLD.join(",") } });
  // An online (per-user) session of the same shop carries the grant too.
  await t.db.session.create({
    data: { id: `${SHOP}_4242`, shop: SHOP, state: "", isOnline: true, accessToken: "shpua_x", scope: OLD.join(","), userId: 4242n },
  });
});

async function deliver(shop: string, payload: unknown) {
  const res = await door(signedWebhookRequest({ shop, topic: "app/scopes_update", payload, webhookId: `scopes-${++n}` }));
  expect(res.status).toBe(200);
  await drainInbox(t.db, workerHooks());
}
const scopesOf = async (shop: string) =>
  (await t.db.session.findMany({ where: { shop }, select: { scope: true }, orderBy: { id: "asc" } })).map((s) => s.scope);

describe("app/scopes_update", () => {
  it("stores the granted scopes on every session of the shop, and of no other shop", async () => {
    await deliver(SHOP, { id: 1234, previous: OLD, current: NEW, updated_at: "2026-11-30T10:00:00.000Z" });
    expect(await scopesOf(SHOP)).toEqual([NEW.join(","), NEW.join(",")]);
    expect(await scopesOf(OTHER)).toEqual([OLD.join(",")]);
    expect(await t.db.webhookInbox.findMany({ select: { status: true, lastError: true } })).toEqual([{ status: "done", lastError: null }]);
  });

  it("ignores an older update that arrives late, and a repeat changes nothing", async () => {
    await deliver(SHOP, { id: 1234, previous: OLD, current: NEW, updated_at: "2026-11-30T10:00:00.000Z" });
    await deliver(SHOP, { id: 1234, previous: ["read_orders"], current: OLD, updated_at: "2026-11-30T09:00:00.000Z" });
    expect(await scopesOf(SHOP)).toEqual([NEW.join(","), NEW.join(",")]);
    // The merchant takes read_all_orders back later: that one counts.
    await deliver(SHOP, { id: 1234, previous: NEW, current: OLD, updated_at: "2026-11-30T11:00:00.000Z" });
    expect(await scopesOf(SHOP)).toEqual([OLD.join(","), OLD.join(",")]);
  });

  it("keeps a payload it cannot read as rejected with the reason, sessions untouched", async () => {
    await deliver(SHOP, { id: 1234, previous: OLD, current: "read_orders,read_all_orders", updated_at: "2026-11-30T10:00:00.000Z" });
    await deliver(SHOP, { id: 1234, previous: OLD, current: ["read_orders", "DROP TABLE"], updated_at: "2026-11-30T10:00:00.000Z" });
    expect(await t.db.webhookInbox.findMany({ select: { status: true, lastError: true }, orderBy: { id: "asc" } })).toEqual([
      { status: "rejected", lastError: expect.stringContaining("current must be an array") as string },
      { status: "rejected", lastError: expect.stringContaining('current[1] must be an access scope name, got "DROP TABLE"') as string },
    ]);
    expect(await scopesOf(SHOP)).toEqual([OLD.join(","), OLD.join(",")]);
  });
});
