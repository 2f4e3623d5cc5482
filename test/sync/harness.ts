// A shop wired end to end for sync tests: a real database, the real webhook door, the
// worker with the sync hook, the Admin API stand-in (checked against Shopify's schema)
// and gateways pointed at it. Time is a fake clock: the gateway's waits advance it, and
// so does the test, so nothing depends on the wall clock.
import { AdminStandin } from "../../dev/admin-standin/server.ts";
import { installOfflineSession } from "../../dev/admin-standin/install.ts";
import type { StandinShop } from "../../dev/admin-standin/state.ts";
import type { Db } from "../../app/db/client.server.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { createGatewayFactory, type GatewayFactory } from "../../app/shopify/gateway.server.ts";
import { syncAfterApply, SYNC_DEBOUNCE_MS } from "../../app/sync/hooks.server.ts";
import { runPendingSync, type SyncOptions } from "../../app/sync/runner.server.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";

export class FakeClock {
  // Ahead of the wall clock, so rows stamped with the database's now() are already due.
  t = Date.now() + 10 * 60_000;
  readonly sleeps: number[] = [];
  now = () => this.t;
  date = () => new Date(this.t);
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.t += ms;
  };
  advance(ms: number) {
    this.t += ms;
  }
}

export interface Harness {
  db: Db;
  clock: FakeClock;
  standin: AdminStandin;
  shop: StandinShop;
  /** The stand-in's address, for a test that builds its own gateways. */
  origin: string;
  gateways: GatewayFactory;
  /** Signed webhooks through the real door, each applied by the worker as it arrives. */
  deliver(deliveries: { topic: string; payload: unknown; webhookId?: string }[]): Promise<void>;
  /** Lets the debounce pass, then runs the sync. */
  sync(opts?: SyncOptions): ReturnType<typeof runPendingSync>;
  /** Runs the sync now. */
  run(opts?: SyncOptions): ReturnType<typeof runPendingSync>;
  close(): Promise<void>;
}

export async function createHarness(db: Db, domain: string, setup?: (shop: StandinShop) => void): Promise<Harness> {
  const clock = new FakeClock();
  const standin = new AdminStandin({ clock: clock.now });
  const shop = standin.addShop({ domain, timezone: "America/New_York" });
  setup?.(shop);
  const origin = await standin.listen();
  await installOfflineSession(db, domain, shop.accessToken);
  const gateways = createGatewayFactory(db, { origin, sleep: clock.sleep, now: clock.now });
  const door = webhookDoor(db);
  let n = 0;
  return {
    db,
    clock,
    standin,
    shop,
    origin,
    gateways,
    async deliver(deliveries) {
      for (const d of deliveries) {
        mirror(shop, d);
        const res = await door(
          signedWebhookRequest({ shop: domain, topic: d.topic, payload: d.payload, webhookId: d.webhookId ?? `wh-${domain}-${++n}` }),
        );
        if (res.status !== 200) throw new Error(`${d.topic}: HTTP ${res.status}`);
        await drainInbox(db, { now: clock.date, afterApply: syncAfterApply({ now: clock.date }) });
      }
    },
    async sync(opts) {
      clock.advance(SYNC_DEBOUNCE_MS);
      return runPendingSync(db, gateways, { now: clock.date, ...opts });
    },
    run: (opts) => runPendingSync(db, gateways, { now: clock.date, ...opts }),
    close: () => standin.close(),
  };
}

/** Shopify has what it sends webhooks about: new orders (with one open fulfillment order) and stock levels. */
function mirror(shop: StandinShop, d: { topic: string; payload: unknown }) {
  if (d.topic === "inventory_levels/update") {
    const l = d.payload as { inventory_item_id: number; location_id: number; available: number; updated_at: string };
    shop.setAvailable(l.inventory_item_id, l.location_id, l.available, new Date(l.updated_at).toISOString());
    return;
  }
  if (d.topic !== "orders/create") return;
  const p = d.payload as {
    id: number;
    name: string;
    line_items: { id: number; variant_id: number | null; quantity: number; title: string }[];
  };
  if (shop.orders.has(`gid://shopify/Order/${p.id}`)) return;
  const location = [...shop.locations.keys()][0];
  if (!location) throw new Error("the stand-in shop needs a location for orders");
  shop.addOrder({
    id: p.id,
    name: p.name,
    locationId: location,
    lines: p.line_items.map((l) => ({ id: l.id, variantId: l.variant_id, quantity: l.quantity, title: l.title })),
  });
}
