// A backorder limit reached during a burst: the DENY that stops Shopify selling goes ahead
// of every queued push (decision 0023). From signed webhooks through the worker's hook to
// the calls the Admin API stand-in receives: before older order tasks (in every pass and
// between a batch's tasks, and by the worker's stop-selling lane while a pass is held inside a
// task, decision 0038), once however often it is asked for, kept through a failed push
// and a runner that died holding it, committed with the change or not at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import type { AdminGateway } from "../../app/shopify/admin-operations.server.ts";
import type { GatewayFactory } from "../../app/shopify/gateway.server.ts";
import { runPendingSync, runStopSelling, STOP_SELLING_LEASE_MS } from "../../app/sync/runner.server.ts";
import { pushVariants } from "../../app/sync/variant-sync.server.ts";
import { enqueueSync } from "../../app/sync/tasks.server.ts";
import { SYNC_KIND } from "../../app/sync/task-kind.ts";
import { SYNC_TASK_STATUS } from "../../app/sync/task-status.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { workerHooks } from "../../app/worker/worker-hooks.server.ts";

const SHOP = "flash-drop.myshopify.com";
const LOCATION = 99001;
const BEFORE = "2026-11-20T09:00:00Z";
/** Backorders on, no limit: its orders fill the queue with order tasks (tags, holds). */
const BUSY = { product: 9100, variant: 91001, item: 91501, limit: null };
// Backorders on up to `limit` units, one variant per test.
const FIRST = { product: 9200, variant: 92001, item: 92501, limit: 3 };
const MIDWAY = { product: 9300, variant: 93001, item: 93501, limit: 2 };
const FLAKY = { product: 9400, variant: 94001, item: 94501, limit: 1 };
const DIES = { product: 9500, variant: 95001, item: 95501, limit: 1 };
const ROLLBACK = { product: 9600, variant: 96001, item: 96501, limit: 1 };
// Not managed by the app until a test gives them settings.
const LATER_A = { product: 9700, variant: 97001, item: 97501, limit: null };
const LATER_X = { product: 9800, variant: 98001, item: 98501, limit: 1 };
const LANE = { product: 9900, variant: 99001, item: 99501, limit: 1 };
const VARIANTS = [BUSY, FIRST, MIDWAY, FLAKY, DIES, ROLLBACK, LANE];
// Not managed until the last test: a variant push planned before the limit, overtaken by the lane's DENY.
const LATER_B = { product: 9910, variant: 99101, item: 99601, limit: null };
const LATER_Y = { product: 9920, variant: 99201, item: 99701, limit: 1 };
const CATALOG = [...VARIANTS, LATER_A, LATER_X, LATER_B, LATER_Y];

let t: TestDatabase;
let h: Harness;
let nextOrder = 800_000;

const variantGid = (v: { variant: number }) => `gid://shopify/ProductVariant/${v.variant}`;
const orderGid = (id: number) => `gid://shopify/Order/${id}`;
/** A new order of `qty` units of the variant (none in stock: all of it waits). */
function order(v: { variant: number }, qty = 1) {
  const id = ++nextOrder;
  return {
    id,
    topic: "orders/create",
    payload: orderPayload({ id, createdAt: h.clock.date().toISOString(), lines: [{ id: id * 10, variantId: v.variant, quantity: qty }] }),
  };
}
const callsSince = (from: number) => h.standin.calls.slice(from);
/** The calls since `from` that set the variant's inventory policy, as the policies set. */
const policyPushes = (from: number, v: { variant: number }) =>
  callsSince(from)
    .filter((c) => c.operationName === "UpdateVariantPolicies" && c.status === 200 && c.errors.length === 0)
    .flatMap((c) => (c.variables.variants as { id: string; inventoryPolicy: string }[]).filter((x) => x.id === variantGid(v)))
    .map((x) => x.inventoryPolicy);
const stopSellingTask = (v: { variant: number }) =>
  t.db.syncTask.findUnique({ where: { shop_kind_targetId: { shop: SHOP, kind: SYNC_KIND.stopSelling, targetId: String(v.variant) } } });
const pendingOrderTasks = () => t.db.syncTask.count({ where: { shop: SHOP, kind: SYNC_KIND.order, status: SYNC_TASK_STATUS.pending } });
/** Index of the first call since `from` about the order (its tag goes first). */
const firstCallOf = (from: number, orderId: number) =>
  callsSince(from).findIndex((c) => c.operationName === "AddTags" && c.variables.id === orderGid(orderId));
const denyIndex = (from: number, v: { variant: number }) =>
  callsSince(from).findIndex(
    (c) =>
      c.operationName === "UpdateVariantPolicies" &&
      (c.variables.variants as { id: string; inventoryPolicy: string }[]).some(
        (x) => x.id === variantGid(v) && x.inventoryPolicy === "DENY",
      ),
  );

/** Gateways whose `method` first awaits `before()` (a test's way in between a runner's calls). */
function gatewaysWith(method: keyof AdminGateway, before: () => Promise<void>): GatewayFactory {
  return (shop) => {
    const g = h.gateways(shop);
    return new Proxy(g, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== "function") return value;
        if (prop !== method) return value.bind(target);
        return async (...args: unknown[]) => {
          await before();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
}

beforeAll(async () => {
  t = await createTestDatabase("limit_priority");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    for (const v of CATALOG)
      shop.addProduct({
        id: v.product,
        title: `Drop ${v.product}`,
        updatedAt: BEFORE,
        variants: [{ id: v.variant, inventoryItemId: v.item, inventoryPolicy: "CONTINUE", stock: { [LOCATION]: 0 } }],
      });
  });
  await t.db.variantPolicy.createMany({
    data: VARIANTS.map((v) => ({ shop: SHOP, variantId: String(v.variant), enabled: true, maxBackorder: v.limit })),
  });
  await h.deliver(
    CATALOG.map((v) => ({
      topic: "products/update",
      payload: productPayload({
        id: v.product,
        title: `Drop ${v.product}`,
        updatedAt: BEFORE,
        variants: [{ id: v.variant, inventoryItemId: v.item, policy: "continue" }],
      }),
    })),
  );
  await h.deliver(CATALOG.map((v) => ({ topic: "inventory_levels/update", payload: inventoryLevelPayload(v.item, LOCATION, 0, BEFORE) })));
  await h.sync(); // settled: Shopify sells every variant, the app has told it so
});
afterAll(async () => {
  await h.close();
  await t.drop();
});

describe("DENY at a backorder limit during a burst", () => {
  it("is queued, not debounced, by the change that reaches the limit, and goes before older order tasks", async () => {
    for (let i = 0; i < 8; i++) await h.deliver([order(BUSY)]);
    h.clock.advance(3_000); // the busy orders' tasks are due a second before the limit's (their debounce: 2 s)
    await h.deliver([order(FIRST, 2)]);
    expect(await stopSellingTask(FIRST)).toBeNull(); // 2 of 3 wait
    await h.deliver([order(FIRST)]);
    expect(await stopSellingTask(FIRST)).toMatchObject({ status: SYNC_TASK_STATUS.pending, dueAt: h.clock.date() });
    // Asked again before it is pushed (one more order past the limit): still one task, one push.
    await h.deliver([order(FIRST)]);
    expect(await t.db.syncTask.count({ where: { shop: SHOP, kind: SYNC_KIND.stopSelling } })).toBe(1);
    expect(await pendingOrderTasks()).toBe(11);

    const from = h.standin.calls.length;
    // Four tasks a batch: main's queue order (due time) would claim four order tasks first.
    await h.sync({ batchSize: 4 });
    expect(callsSince(from)[0]).toMatchObject({
      operationName: "UpdateVariantPolicies",
      variables: { productId: `gid://shopify/Product/${FIRST.product}`, variants: [{ id: variantGid(FIRST), inventoryPolicy: "DENY" }] },
    });
    expect(h.shop.variants.get(variantGid(FIRST))!.inventoryPolicy).toBe("DENY");
    // The variant's own task came later and found the policy pushed: only the storefront status.
    expect(policyPushes(from, FIRST)).toEqual(["DENY"]);
    expect(
      callsSince(from).some((c) => c.operationName === "SetMetafields" && JSON.stringify(c.variables).includes(variantGid(FIRST))),
    ).toBe(true);
    expect(await stopSellingTask(FIRST)).toMatchObject({ status: SYNC_TASK_STATUS.done, attempts: 1 });
    expect(await pendingOrderTasks()).toBe(0);
  });

  it("asks nothing more once Shopify denies the variant: later orders and redeliveries are no-ops", async () => {
    const before = await stopSellingTask(FIRST);
    const late = order(FIRST);
    await h.deliver([late]);
    await h.deliver([{ ...late, webhookId: "redelivered-with-a-new-id" }]);
    expect(await stopSellingTask(FIRST)).toEqual(before);
    const from = h.standin.calls.length;
    await h.sync();
    expect(policyPushes(from, FIRST)).toEqual([]);
  });

  it("is pushed between two tasks of a batch when the limit is reached while the batch runs", async () => {
    const busy = [order(BUSY), order(BUSY), order(BUSY)];
    for (const o of busy) await h.deliver([o]);
    h.clock.advance(2_000);
    let reached = false;
    // The sale goes on while the runner tags the first busy order: MIDWAY reaches its limit.
    const gateways = gatewaysWith("addTags", async () => {
      if (reached) return;
      reached = true;
      await h.deliver([order(MIDWAY, 2)]);
    });
    const from = h.standin.calls.length;
    await runPendingSync(t.db, gateways, { now: h.clock.date });
    expect(reached).toBe(true);
    const [first, second, third] = busy.map((o) => firstCallOf(from, o.id));
    const deny = denyIndex(from, MIDWAY);
    expect(first).toBeGreaterThanOrEqual(0);
    // After the order task in hand, before the next one of the same batch.
    expect(deny).toBeGreaterThan(first!);
    expect(deny).toBeLessThan(second!);
    expect(second).toBeLessThan(third!);
    expect(h.shop.variants.get(variantGid(MIDWAY))!.inventoryPolicy).toBe("DENY");
  });

  it("is pushed between the calls of a variant push, whose older plan for that variant is dropped", async () => {
    await h.sync(); // what earlier tests left queued
    // The merchant turns backorders on for two variants Shopify has never been told about.
    await t.db.$transaction(async (tx) => {
      await tx.variantPolicy.createMany({
        data: [LATER_A, LATER_X].map((v) => ({ shop: SHOP, variantId: String(v.variant), enabled: true, maxBackorder: v.limit })),
      });
      await enqueueSync(tx, SHOP, { variantIds: [LATER_A, LATER_X].map((v) => String(v.variant)) }, h.clock.date());
    });
    let reached = false;
    // While the push sends CONTINUE for LATER_A (one call per product), LATER_X reaches its limit.
    const gateways = gatewaysWith("setInventoryPolicies", async () => {
      if (reached) return;
      reached = true;
      await h.deliver([order(LATER_X)]);
    });
    const from = h.standin.calls.length;
    await runPendingSync(t.db, gateways, { now: h.clock.date });
    expect(reached).toBe(true);
    expect(policyPushes(from, LATER_A)).toEqual(["CONTINUE"]);
    // Planned as CONTINUE before the order, then overtaken: its stale CONTINUE is not sent after the DENY.
    expect(policyPushes(from, LATER_X)).toEqual(["DENY"]);
    expect(h.shop.variants.get(variantGid(LATER_X))!.inventoryPolicy).toBe("DENY");
    expect(
      await t.db.syncedVariant.findUnique({ where: { shop_variantId: { shop: SHOP, variantId: String(LATER_X.variant) } } }),
    ).toMatchObject({
      inventoryPolicy: "DENY",
    });
  });

  it("is kept through a failed push, retried when due, and DENY lands once", async () => {
    await h.sync(); // what earlier tests left queued
    h.standin.failNext(1000, { kind: "http", status: 503 }, (c) => c.operationName === "UpdateVariantPolicies");
    await h.deliver([order(FLAKY)]);
    await h.run({ maxPasses: 1 });
    h.standin.clearFaults();
    const failed = await stopSellingTask(FLAKY);
    // (Tried again within the pass if the gateway's own retries outlasted the backoff.)
    expect(failed).toMatchObject({ status: SYNC_TASK_STATUS.pending, lastError: expect.stringContaining("HTTP 503") });
    expect(failed!.dueAt.getTime()).toBeGreaterThan(h.clock.now());
    expect(h.shop.variants.get(variantGid(FLAKY))!.inventoryPolicy).toBe("CONTINUE");

    // Its retry and the variant's own task (debounced, due sooner) both want DENY: it lands once.
    h.clock.t = failed!.dueAt.getTime();
    const from = h.standin.calls.length;
    await h.run();
    expect(policyPushes(from, FLAKY)).toEqual(["DENY"]);
    expect(h.shop.variants.get(variantGid(FLAKY))!.inventoryPolicy).toBe("DENY");
    expect(await stopSellingTask(FLAKY)).toMatchObject({ status: SYNC_TASK_STATUS.done, lastError: null });
  });

  it("is taken over soon from a runner that died pushing it", async () => {
    await h.deliver([order(DIES)]);
    // The first runner claims it and never comes back from Shopify (the process was killed).
    let claimed!: () => void;
    const stuck = new Promise<void>((resolve) => (claimed = resolve));
    const dying = gatewaysWith("setInventoryPolicies", () => {
      claimed();
      return new Promise<void>(() => {});
    });
    void runPendingSync(t.db, dying, { now: h.clock.date });
    await stuck;
    expect(await stopSellingTask(DIES)).toMatchObject({ status: SYNC_TASK_STATUS.running, attempts: 1 });

    // Within its lease, another runner leaves it alone...
    let from = h.standin.calls.length;
    await h.run();
    expect(policyPushes(from, DIES)).toEqual([]);
    // ... and takes it over once the short lease has run out, not SYNC_LEASE_MS later.
    h.clock.advance(STOP_SELLING_LEASE_MS + 1_000); // (the lease has a random millisecond part under 1 s)
    from = h.standin.calls.length;
    await h.run();
    expect(policyPushes(from, DIES)).toEqual(["DENY"]);
    expect(await stopSellingTask(DIES)).toMatchObject({ status: SYNC_TASK_STATUS.done, attempts: 2 });
  });

  it("commits with the change that reaches the limit or not at all, and wakes the worker's sync after the commit", async () => {
    const door = webhookDoor(t.db);
    const o = order(ROLLBACK);
    h.shop.addOrder({ id: o.id, locationId: LOCATION, lines: [{ id: o.id * 10, variantId: ROLLBACK.variant, quantity: 1 }] });
    const res = await door(signedWebhookRequest({ shop: SHOP, topic: o.topic, payload: o.payload, webhookId: `rollback-${o.id}` }));
    expect(res.status).toBe(200);

    const woken: Promise<unknown>[] = [];
    // What the worker runs, its wake seen from another connection when it comes.
    const hooks = workerHooks(() => woken.push(stopSellingTask(ROLLBACK)));
    // The transaction fails after the change was applied: no task, no wake.
    const crashed = await drainInbox(t.db, {
      ...hooks,
      now: h.clock.date,
      beforeCommit: () => {
        throw new Error("the worker died before the commit");
      },
    });
    expect(crashed.failed).toBe(1);
    expect(await stopSellingTask(ROLLBACK)).toBeNull();
    expect(woken).toHaveLength(0);

    // The event's retry applies it: the task and the wake come with that commit.
    h.clock.advance(60_000);
    const retried = await drainInbox(t.db, { ...hooks, now: h.clock.date });
    expect(retried.processed).toBe(1);
    expect(woken).toHaveLength(1);
    expect(await woken[0]).toMatchObject({ status: SYNC_TASK_STATUS.pending });

    const from = h.standin.calls.length;
    await h.run();
    expect(policyPushes(from, ROLLBACK)).toEqual(["DENY"]);
  });
  it("is pushed by the stop-selling lane while the runner is held inside an order task, before the pass's other order tasks", async () => {
    await h.sync(); // what earlier tests left queued
    const busy = [order(BUSY), order(BUSY), order(BUSY)];
    for (const o of busy) await h.deliver([o]);
    h.clock.advance(2_000);
    // The runner's first order task reads its fulfillment orders and is held there (as by a
    // read waiting for the rate limit to refill); meanwhile LANE reaches its limit.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    let first = true;
    const gateways = gatewaysWith("orderFulfillmentOrders", async () => {
      if (!first) return;
      first = false;
      await h.deliver([order(LANE)]);
      held();
      await released;
    });
    const from = h.standin.calls.length;
    const pass = runPendingSync(t.db, gateways, { now: h.clock.date });
    await holding;
    // The worker's stop-selling lane, beside the held pass.
    const lane = await runStopSelling(t.db, h.gateways, { now: h.clock.date });
    expect(lane).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(h.shop.variants.get(variantGid(LANE))!.inventoryPolicy).toBe("DENY");
    expect(callsSince(from).some((c) => c.operationName === "OrderFulfillmentOrders")).toBe(false);
    release();
    await pass;
    const deny = denyIndex(from, LANE);
    const reads = callsSince(from).flatMap((c, i) => (c.operationName === "OrderFulfillmentOrders" ? [i] : []));
    expect(reads.length).toBeGreaterThanOrEqual(busy.length);
    expect(deny).toBeGreaterThanOrEqual(0);
    expect(deny).toBeLessThan(Math.min(...reads));
    expect(deny).toBeLessThan(firstCallOf(from, busy[1]!.id));
    // Pushed once (the pass found it done), and the held pass did its order tasks after it
    // (the LANE order's own task is still in its debounce).
    expect(policyPushes(from, LANE)).toEqual(["DENY"]);
    expect(await stopSellingTask(LANE)).toMatchObject({ status: SYNC_TASK_STATUS.done, attempts: 1 });
    const busyTasks = await t.db.syncTask.findMany({
      where: { shop: SHOP, kind: SYNC_KIND.order, targetId: { in: busy.map((o) => String(o.id)) } },
    });
    expect(busyTasks.map((b) => b.status)).toEqual(busy.map(() => SYNC_TASK_STATUS.done));
  });

  it("drops a variant push's older plan for a variant the lane denied while that push was between its calls", async () => {
    await h.sync(); // what earlier tests left queued
    await t.db.variantPolicy.createMany({
      data: [LATER_B, LATER_Y].map((v) => ({ shop: SHOP, variantId: String(v.variant), enabled: true, maxBackorder: v.limit })),
    });
    const from = h.standin.calls.length;
    // A variant push plans CONTINUE for both (one call per product); before its second call
    // LATER_Y reaches its limit and the lane (not this push's own between-calls check) denies it.
    let reached = false;
    const failed = await pushVariants(t.db, h.gateways(SHOP), SHOP, [String(LATER_B.variant), String(LATER_Y.variant)], h.clock.date(), {
      between: async () => {
        if (!reached) {
          reached = true;
          await h.deliver([order(LATER_Y)]);
          expect(await runStopSelling(t.db, h.gateways, { now: h.clock.date })).toMatchObject({ done: 1 });
        }
        return [];
      },
    });
    expect(reached).toBe(true);
    expect(failed.size).toBe(0);
    expect(policyPushes(from, LATER_B)).toEqual(["CONTINUE"]);
    // Its stale CONTINUE is not sent after the DENY.
    expect(policyPushes(from, LATER_Y)).toEqual(["DENY"]);
    expect(h.shop.variants.get(variantGid(LATER_Y))!.inventoryPolicy).toBe("DENY");
    expect(
      await t.db.syncedVariant.findUnique({ where: { shop_variantId: { shop: SHOP, variantId: String(LATER_Y.variant) } } }),
    ).toMatchObject({ inventoryPolicy: "DENY" });
  });
});
