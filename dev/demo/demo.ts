// The offline demo: the app's main job with no Shopify store. It starts
//   - the Admin API stand-in, seeded with the demo store (dev/admin-standin),
//   - the app itself (`remix vite:dev`, worker and Shopify sync in the web process) on
//     the embedded default (SQLite in data/demo.sqlite), pointed at the stand-in,
//   - a day of trade (dev/demo/scenario.ts) sent to the app's /webhooks as HMAC-signed
//     webhooks, after the stand-in has changed as Shopify would,
//   - a storefront rendering the theme block on Dawn's product page from the stand-in.
// Running it again is idempotent: the database keeps the day, the same webhooks are
// duplicates, and the fresh stand-in is brought back in line by the app's own sync.
import type { Db } from "../../app/db/client.server.ts";
import { createDb } from "../../app/db/client.server.ts";
import { defaultDatabaseUrl } from "../../app/db/url.ts";
import { addDays, fromCalendarDate, todayIn } from "../../app/backorder/eta.ts";
import { queueCatalogSyncOnInstall } from "../../app/sync/install.server.ts";
import { enqueueTasks } from "../../app/sync/tasks.server.ts";
import { applyMigrations } from "../../app/db/apply-migrations.server.ts";
import { AdminStandin } from "../admin-standin/server.ts";
import { ADMIN_API_VERSION } from "../admin-standin/schema.ts";
import { DEMO_SHOP, seedDemoShop } from "../admin-standin/seed.ts";
import { installOfflineSession } from "../admin-standin/install.ts";
import type { StandinShop } from "../admin-standin/state.ts";
import { DEMO_API_SECRET, startAppDevServer, type AppDevServer } from "../app-dev-server.ts";
import { startAppProxy } from "../admin-standin/app-proxy.ts";
import { consentLinks } from "../../app/consent/consent-links.server.ts";
import { startStorefront, type Storefront } from "../storefront/server.ts";
import type { StorefrontProduct } from "../storefront/render.ts";
import { shopifyWebhookHeaders } from "../webhook-signing.ts";
import { DAY, DEMO_POLICIES, localTimestamp, type DemoWebhook } from "./scenario.ts";
import { followMerchantActions } from "./shopify-echo.ts";

export const DEMO_ACCESS_TOKEN = "shpat_offline_demo_token";

export interface DemoOptions {
  /** Default: DATABASE_URL, else data/demo.sqlite (kept between runs). */
  databaseUrl?: string;
  /** 0: any free port. */
  appPort?: number;
  standinPort?: number;
  storefrontPort?: number;
  /** Pause between the day's steps, so the day can be watched (default 0). */
  paceMs?: number;
  log?: (line: string) => void;
  /** What the app server prints. */
  appOutput?: (chunk: string) => void;
}

export interface DemoReport {
  day: string;
  /** Webhooks the app took in as new, and those it already had (a re-run). */
  accepted: number;
  duplicates: number;
  refused: { step: string; reason: string }[];
  inboxProblems: number;
  syncProblems: { kind: string; targetId: string; lastError: string | null }[];
}

export interface RunningDemo {
  shop: string;
  adminUrl: string;
  storefrontUrl: string;
  products: { title: string; url: string }[];
  /** A delay notice's two links for the first waiting line, on the App Proxy stand-in (the shop's domain); null when none waits. */
  consent: { lineItemId: string; orderName: string; title: string; keepUrl: string; cancelUrl: string } | null;
  standin: AdminStandin;
  db: Db;
  report: DemoReport;
  /** Waits until the app has applied every webhook and pushed everything to the stand-in. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export const demoDatabaseUrl = (): string => process.env.DATABASE_URL ?? defaultDatabaseUrl("demo.sqlite");

/** The day of trade: the one already in the database, else yesterday in the shop's time zone. */
async function demoDay(db: Db, shop: string, timezone: string): Promise<string> {
  const first = await db.webhookInbox.findUnique({
    where: { shop_webhookId: { shop, webhookId: `demo-${DAY[0]!.id}-order` } },
    select: { payload: true },
  });
  if (first?.payload) return (JSON.parse(first.payload) as { created_at: string }).created_at.slice(0, 10);
  // Applied: the worker keeps no payload, the day's first order says the day.
  const order =
    first && (await db.orderSnapshot.findFirst({ where: { shop }, orderBy: { createdAt: "asc" }, select: { createdAt: true } }));
  if (order) return todayIn(timezone, order.createdAt);
  return addDays(todayIn(timezone, new Date()), -1);
}

/** The merchant's settings before the day, created once: changes made in the admin since are kept. */
async function seedMerchantSettings(db: Db, shop: string, day: string) {
  await db.shopSettings.upsert({ where: { shop }, create: { shop }, update: {} });
  for (const p of DEMO_POLICIES) {
    const data = {
      enabled: p.enabled,
      maxBackorder: p.maxBackorder ?? null,
      restockDate: p.restockInDays === undefined ? null : fromCalendarDate(addDays(day, p.restockInDays)),
      incomingQuantity: p.incomingQuantity ?? null,
      autoEnable: p.autoEnable ?? false,
      message: p.message ?? null,
    };
    await db.variantPolicy.upsert({
      where: { shop_variantId: { shop, variantId: String(p.variantId) } },
      create: { shop, variantId: String(p.variantId), ...data },
      update: {},
    });
  }
}

/**
 * This stand-in is a new Shopify: nothing the app told the last one is true of it. Forget
 * what was pushed and queue the install's catalog sync, so the app pushes everything again.
 */
async function forgetPushedState(db: Db, shop: string) {
  await db.$transaction([
    db.syncTask.deleteMany({ where: { shop } }),
    db.syncedVariant.deleteMany({ where: { shop } }),
    db.syncedOrder.deleteMany({ where: { shop } }),
    db.orderHold.deleteMany({ where: { shop } }),
    db.shopSettings.update({ where: { shop }, data: { catalogSyncedAt: null, uninstalledAt: null } }),
  ]);
  await queueCatalogSyncOnInstall(db, shop);
}

async function queueOrdersWithBackorders(db: Db, shop: string) {
  const orders = await db.backorderLine.findMany({ where: { shop, state: "waiting" }, select: { orderId: true }, distinct: ["orderId"] });
  await enqueueTasks(
    db,
    shop,
    "order",
    orders.map((o) => o.orderId),
  );
}

/** Cancellations the merchant made in an earlier run came back as webhooks: the new stand-in makes them again. */
async function replayMerchantActions(db: Db, shop: string, store: StandinShop) {
  // The echoes are applied (their payloads are not kept): what they said is in the engine's
  // tables, found by the ids their webhook ids carry (shopify-echo.ts).
  const echoes = await db.webhookInbox.findMany({
    where: { shop, webhookId: { startsWith: "demo-echo-" } },
    orderBy: { id: "asc" },
    select: { topic: true, webhookId: true },
  });
  for (const e of echoes) {
    const m = /^demo-echo-cancel-(\d+)(?:-level-(\d+)-(\d+))?$/.exec(e.webhookId);
    if (!m) continue;
    if (e.topic === "orders/cancelled") {
      const order = store.orders.get(`gid://shopify/Order/${m[1]}`);
      const snapshot = await db.orderSnapshot.findUnique({
        where: { shop_orderId: { shop, orderId: m[1]! } },
        select: { cancelledAt: true },
      });
      if (!order || !snapshot?.cancelledAt) continue;
      order.cancelledAt = snapshot.cancelledAt.toISOString();
      for (const fo of store.fulfillmentOrdersOf(order.id)) Object.assign(fo, { status: "CLOSED", holds: [] });
    } else if (e.topic === "inventory_levels/update" && m[2] && m[3]) {
      const level = await db.inventoryLevel.findUnique({
        where: { shop_inventoryItemId_locationId: { shop, inventoryItemId: m[2], locationId: m[3] } },
      });
      if (level) store.setAvailable(Number(m[2]), Number(m[3]), level.available, level.updatedAt.toISOString());
    }
  }
}

export async function settleApp(db: Db, shop: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [inbox, tasks] = await Promise.all([
      db.webhookInbox.count({ where: { shop, status: { in: ["pending", "processing", "failed"] } } }),
      db.syncTask.count({ where: { shop, status: { in: ["pending", "running"] } } }),
    ]);
    if (inbox === 0 && tasks === 0) return;
    if (Date.now() > deadline) {
      const open = await db.syncTask.findMany({
        where: { shop, status: { in: ["pending", "running"] } },
        select: { kind: true, targetId: true, status: true, attempts: true, lastError: true },
      });
      const webhooks = await db.webhookInbox.findMany({
        where: { shop, status: { in: ["pending", "processing", "failed"] } },
        select: { topic: true, webhookId: true, status: true, lastError: true },
      });
      throw new Error(
        `the app did not settle within ${timeoutMs / 1000} s: ${inbox} webhooks and ${tasks} Shopify pushes still open\n${JSON.stringify({ webhooks, pushes: open }, null, 2)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What Dawn renders: the stand-in's products with their stock and the app's metafield. */
export function storefrontProducts(standin: AdminStandin, shop: string): StorefrontProduct[] {
  const optionName: Record<string, string> = { "linen-shirt": "Size", "merino-beanie": "Colour" };
  return standin.storefront(shop).map((p) => {
    const single = p.variants.length === 1 && p.variants[0]!.title === "Default Title";
    return {
      title: p.title,
      handle: p.handle,
      vendor: standin.shop(shop).name,
      options: single ? ["Title"] : [optionName[p.handle] ?? "Option"],
      variants: p.variants.map((v) => ({
        id: v.restId,
        title: v.title,
        price: Math.round(Number(v.price) * 100),
        available: v.availableForSale,
        options: [v.title],
        metafieldStatus: v.backorderStatus as StorefrontProduct["variants"][number]["metafieldStatus"],
      })),
    };
  });
}

export async function startDemo(opts: DemoOptions = {}): Promise<RunningDemo> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const shop = DEMO_SHOP;
  const databaseUrl = opts.databaseUrl ?? demoDatabaseUrl();
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    closers.length = 0;
  };

  try {
    await applyMigrations(databaseUrl);
    const db = createDb(databaseUrl);
    closers.push(() => db.$disconnect());

    // Shopify: the demo store, opening stock stamped at the start of the day.
    const standin = new AdminStandin();
    const store: StandinShop = seedDemoShop(standin, shop, DEMO_ACCESS_TOKEN);
    const day = await demoDay(db, shop, store.timezone);
    const opening = localTimestamp(day, "08:00", store.timezone);
    for (const level of store.levels.values()) level.updatedAt = opening;
    const origin = await standin.listen(opts.standinPort ?? 0);
    closers.push(() => standin.close());

    // The app, installed on it.
    await installOfflineSession(db, shop, DEMO_ACCESS_TOKEN);
    await seedMerchantSettings(db, shop, day);
    await forgetPushedState(db, shop);
    log(`Starting the app (remix vite:dev) on ${databaseUrl} …`);
    const app: AppDevServer = await startAppDevServer({
      databaseUrl,
      shop,
      port: opts.appPort || undefined,
      worker: true,
      env: { SHOPIFY_ADMIN_API_ORIGIN: origin },
      onOutput: opts.appOutput,
    });
    closers.push(() => app.close());

    const report: DemoReport = { day, accepted: 0, duplicates: 0, refused: [], inboxProblems: 0, syncProblems: [] };
    const send = async (w: DemoWebhook) => {
      const body = JSON.stringify(w.payload);
      const known = await db.webhookInbox.count({ where: { shop, webhookId: w.webhookId } });
      const res = await fetch(`${app.url}/webhooks`, {
        method: "POST",
        headers: shopifyWebhookHeaders({
          shop,
          topic: w.topic,
          apiVersion: ADMIN_API_VERSION,
          webhookId: w.webhookId,
          secret: DEMO_API_SECRET,
          body,
        }),
        body,
      });
      if (res.status !== 200) throw new Error(`the app refused ${w.topic} (${w.webhookId}): HTTP ${res.status} ${await res.text()}`);
      if (known) report.duplicates++;
      else report.accepted++;
    };

    log(`\nA day of trade at ${store.name}, ${day} (${store.timezone}):`);
    for (const step of DAY) {
      const replay = (await db.webhookInbox.count({ where: { shop, webhookId: { startsWith: `demo-${step.id}-` } } })) > 0;
      // A checkout past zero stock depends on the policy the app pushed: let it catch up.
      if (!replay && step.needsSettledApp) await settleApp(db, shop);
      const outcome = step.run({ shop: store, day, timezone: store.timezone, replay });
      if ("refused" in outcome) {
        report.refused.push({ step: step.id, reason: outcome.refused });
        log(`  ${step.at}  ${step.title(store)} — checkout refused: ${outcome.refused}`);
      } else {
        for (const w of outcome.webhooks) await send(w);
        log(
          `  ${step.at}  ${step.title(store)}  [${outcome.webhooks.map((w) => w.topic).join(", ")}]${replay ? " (sent before: duplicates)" : ""}`,
        );
      }
      if (opts.paceMs) await new Promise((r) => setTimeout(r, opts.paceMs));
    }
    await replayMerchantActions(db, shop, store);
    await queueOrdersWithBackorders(db, shop);
    await settleApp(db, shop);
    report.inboxProblems = await db.webhookInbox.count({ where: { shop, status: "dead" } });
    report.syncProblems = await db.syncTask.findMany({
      where: { shop, status: "failed" },
      select: { kind: true, targetId: true, lastError: true },
    });

    // Merchant actions that Shopify answers with webhooks (a cancellation from the queue page).
    const echo = followMerchantActions(standin, store, send);
    closers.push(async () => echo.stop());

    const storefront: Storefront = await startStorefront({
      port: opts.storefrontPort ?? 0,
      shopName: store.name,
      currency: store.currency,
      locale: store.locale,
      loadProduct: (handle) => storefrontProducts(standin, shop).find((p) => p.handle === handle) ?? null,
    });
    closers.push(() => storefront.close());

    // The shop's domain for the App Proxy: the customer's keep/cancel page of a delay notice.
    const proxy = await startAppProxy({ appOrigin: app.url, shop, shopName: store.name, secret: DEMO_API_SECRET });
    closers.push(() => proxy.close());
    const first = await db.backorderLine.findFirst({
      where: { shop, state: "waiting" },
      orderBy: [{ orderedAt: "asc" }, { lineItemId: "asc" }],
      select: { lineItemId: true, orderName: true, title: true, promisedShipDate: true },
    });
    const links =
      first && consentLinks({ shop, lineItemId: first.lineItemId, promisedDate: first.promisedShipDate ?? day, secret: DEMO_API_SECRET });
    const onProxy = (url: string) => `${proxy.origin}${new URL(url).pathname}${new URL(url).search}`;

    return {
      shop,
      consent:
        first && links
          ? {
              lineItemId: first.lineItemId,
              orderName: first.orderName,
              title: first.title,
              keepUrl: onProxy(links.keepUrl),
              cancelUrl: onProxy(links.cancelUrl),
            }
          : null,
      adminUrl: `${app.url}/app`,
      storefrontUrl: storefront.url,
      products: storefrontProducts(standin, shop).map((p) => ({ title: p.title, url: `${storefront.url}/products/${p.handle}` })),
      standin,
      db,
      report,
      settle: () => settleApp(db, shop),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
