// The offline demo (`npm run demo`) end to end, headless: the stand-in store, the app
// served by `remix vite:dev` with its worker and sync, the day of trade as signed
// webhooks over HTTP, then the queue, Shopify's (stand-in) state, the admin and the
// storefront in Chromium; a cancellation from the admin; and a second start on the same
// database, which must change nothing and bring the new stand-in back in line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { DEMO_IDS } from "../../dev/admin-standin/seed.ts";
import type { StandinShop } from "../../dev/admin-standin/state.ts";
import { startDemo, type RunningDemo } from "../../dev/demo/demo.ts";
import { EXPECTED_WAITING, orderIdOf, orderNameOf } from "../../dev/demo/scenario.ts";
import { gotoSettled, launchChromium, screenshotPath } from "../storefront/browser.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";

const { variants: V } = DEMO_IDS;
let t: TestDatabase;
let demo: RunningDemo;
let browser: Browser;
const logged: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase("demo");
  [demo, browser] = await Promise.all([startDemo({ databaseUrl: t.url, log: (l) => logged.push(l) }), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await t?.drop();
});

const store = (): StandinShop => demo.standin.shop(demo.shop);
const variant = (id: number) => store().variants.get(`gid://shopify/ProductVariant/${id}`)!;
const order = (n: number) => store().orders.get(`gid://shopify/Order/${orderIdOf(n)}`)!;
const holdsOf = (n: number) =>
  store()
    .fulfillmentOrdersOf(order(n).id)
    .flatMap((f) => f.holds);

async function waitingLines() {
  const lines = await t.db.backorderLine.findMany({
    where: { shop: demo.shop, state: "waiting" },
    select: { orderName: true, variantId: true, waitingQuantity: true },
  });
  return lines
    .map((l) => ({ order: l.orderName, variantId: Number(l.variantId), units: l.waitingQuantity }))
    .sort((a, b) => a.order.localeCompare(b.order));
}
const expectedWaiting = () => [...EXPECTED_WAITING].sort((a, b) => a.order.localeCompare(b.order));

async function noticeOn(handle: string, variantId: number, screenshot?: string): Promise<string> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 820 } });
  try {
    await page.goto(`${demo.storefrontUrl}/products/${handle}?variant=${variantId}`);
    if (screenshot && testProvider() === "sqlite") await page.screenshot({ path: screenshotPath(screenshot) });
    return (await page.locator("[data-bq-notice] .bq-notice__text").innerText()).trim();
  } finally {
    await page.close();
  }
}

/** "Available for backorder — ships ~Dec 8, 2026" → "2026-12-08" (the block's date format is the merchant's to choose). */
function promisedDate(notice: string): string | null {
  const m = /^Available for backorder — ships ~(.+)$/.exec(notice);
  if (!m) return null;
  const d = new Date(`${m[1]} UTC`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
}
const etaOf = (id: number) =>
  (
    demo.standin
      .storefront(demo.shop)
      .flatMap((p) => p.variants)
      .find((v) => v.restId === String(id))!.backorderStatus as { eta: string }
  ).eta;

describe("the offline demo", () => {
  it("takes the day's webhooks once, refuses the checkout past the backorder limit, and ends with the expected queue", async () => {
    expect(demo.report).toMatchObject({ accepted: 27, duplicates: 0, inboxProblems: 0, syncProblems: [] });
    expect(demo.report.refused.map((r) => r.step)).toEqual(["o7"]);
    expect(await waitingLines()).toEqual(expectedWaiting());
    const line = (n: number) => t.db.backorderLine.findFirstOrThrow({ where: { shop: demo.shop, orderName: orderNameOf(n) } });
    // Grace's two backordered shirts were covered by the restock; Alan cancelled.
    expect(await line(2)).toMatchObject({ state: "allocated", waitingQuantity: 0 });
    expect((await line(2)).backorderedAt).not.toBeNull();
    expect(await line(3)).toMatchObject({ state: "cancelled" });
    // The Pour-Over sold out and the auto-enable rule switched backorders on.
    expect(
      await t.db.variantPolicy.findUniqueOrThrow({ where: { shop_variantId: { shop: demo.shop, variantId: String(V.pourOver) } } }),
    ).toMatchObject({ enabled: true });
    expect(logged.join("\n")).toContain("checkout refused");
  });

  it("leaves Shopify (the stand-in) in step: inventory policy, holds and tags follow the queue", () => {
    expect(variant(V.beanieForest).inventoryPolicy).toBe("DENY"); // limit of 2 reached
    expect(variant(V.shirtM).inventoryPolicy).toBe("CONTINUE");
    expect(variant(V.shirtL).inventoryPolicy).toBe("CONTINUE");
    expect(variant(V.pourOver).inventoryPolicy).toBe("CONTINUE");
    expect(variant(V.beanieOat).inventoryPolicy).toBe("DENY"); // never managed by the app
    for (const n of [5, 6, 9, 10, 12]) {
      expect(order(n).tags, orderNameOf(n)).toContain("backorder");
      expect(holdsOf(n).length, orderNameOf(n)).toBeGreaterThan(0);
    }
    // Covered by the restock: hold released, tag removed. In stock all along: never touched.
    expect(holdsOf(2)).toEqual([]);
    expect(order(2).tags).not.toContain("backorder");
    expect(order(11).tags).toEqual([]);
  });

  it("shows each variant's promise on the storefront's product pages", async () => {
    expect(await noticeOn("linen-shirt", V.shirtS)).toBe("");
    expect(promisedDate(await noticeOn("linen-shirt", V.shirtM, "demo-storefront.png"))).toBe(etaOf(V.shirtM));
    expect(await noticeOn("merino-beanie", V.beanieOat)).toBe("");
    expect(await noticeOn("merino-beanie", V.beanieForest)).toBe("Sold out");
    expect(promisedDate(await noticeOn("ceramic-pour-over", V.pourOver))).toBe(etaOf(V.pourOver));
  });

  it("shows the waiting orders in the admin's queue", async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1360, height: 700 });
    await gotoSettled(page, `${demo.adminUrl}/queue`, () => page.locator("table").first().waitFor());
    if (testProvider() === "sqlite") await page.screenshot({ path: screenshotPath("demo-queue.png") });
    const text = await page.locator("table").first().innerText();
    for (const w of EXPECTED_WAITING) expect(text).toContain(w.order);
    expect(text).not.toContain(orderNameOf(3));
    await page.close();
  });

  it("a cancellation asked for in the admin comes back from Shopify as a webhook and leaves the queue", async () => {
    const hedy = await t.db.backorderLine.findFirstOrThrow({ where: { shop: demo.shop, orderName: orderNameOf(10) } });
    const form = new FormData();
    form.set("intent", "cancel");
    form.append("lineItemId", hedy.lineItemId);
    const res = await fetch(`${demo.adminUrl}/queue`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    await expect.poll(() => order(10).cancelledAt, { timeout: 90_000 }).not.toBeNull();
    await expect
      .poll(
        async () =>
          (await t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop: demo.shop, lineItemId: hedy.lineItemId } } }))
            .state,
        { timeout: 90_000 },
      )
      .toBe("cancelled");
    await demo.settle();
    expect((await waitingLines()).map((l) => l.order)).not.toContain(orderNameOf(10));
  }, 240_000); // the round trip through the sync, the stand-in and the worker is slow on a loaded machine

  it("a restock date changed in the admin reaches the product page through the sync", async () => {
    const before = etaOf(V.shirtM);
    const form = new FormData();
    form.append("variantId", String(V.shirtM));
    form.set("restockDate", "2027-01-15");
    const res = await fetch(`${demo.adminUrl}/variants`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    await demo.settle();
    const after = etaOf(V.shirtM);
    expect(after > "2027-01-15").toBe(true); // ships after the restock, processing days later
    expect(after).not.toBe(before);
    expect(promisedDate(await noticeOn("linen-shirt", V.shirtM))).toBe(after);
  });

  it("starts again on the same database without changing the day, and brings the new stand-in back in line", async () => {
    const inboxBefore = await t.db.webhookInbox.count({ where: { shop: demo.shop } });
    const queueBefore = await waitingLines();
    await demo.close();
    demo = await startDemo({ databaseUrl: t.url, log: () => {} });
    expect(demo.report).toMatchObject({ accepted: 0, duplicates: 27, inboxProblems: 0, syncProblems: [] });
    // The echo of the cancellation is the one webhook the day does not send again.
    expect(await t.db.webhookInbox.count({ where: { shop: demo.shop } })).toBe(inboxBefore);
    expect(await waitingLines()).toEqual(queueBefore);
    // A fresh stand-in started from the seed; the app pushed its state again.
    expect(variant(V.beanieForest).inventoryPolicy).toBe("DENY");
    expect(variant(V.shirtM).inventoryPolicy).toBe("CONTINUE");
    expect(holdsOf(5).length).toBeGreaterThan(0);
    expect(order(5).tags).toContain("backorder");
    expect(await noticeOn("merino-beanie", V.beanieForest)).toBe("Sold out");
    expect(promisedDate(await noticeOn("linen-shirt", V.shirtM))).toBe(etaOf(V.shirtM));
  });

  it("a customer's cancel from a delay notice, on the shop's App Proxy, refunds the line and Shopify's refunds/create follows", async () => {
    const consent = demo.consent!;
    expect(consent).not.toBeNull();
    const refundsBefore = await t.db.webhookInbox.count({ where: { shop: demo.shop, topic: "refunds/create" } });
    const page = await browser.newPage();
    await page.goto(consent.cancelUrl);
    await expect(page.locator("h1").innerText()).resolves.toBe("Cancel this item?");
    await page.getByRole("button", { name: "Cancel this item and refund me" }).click();
    await page.locator("h1", { hasText: "The item is cancelled" }).waitFor();
    await page.close();
    const line = () =>
      t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop: demo.shop, lineItemId: consent.lineItemId } } });
    expect((await line()).state).toBe("cancelled");
    await expect
      .poll(() => t.db.webhookInbox.count({ where: { shop: demo.shop, topic: "refunds/create" } }), { timeout: 60_000 })
      .toBe(refundsBefore + 1);
    await demo.settle();
    expect(await line()).toMatchObject({ state: "cancelled", openQuantity: 0 });
    expect(await t.db.orderAdjustment.count({ where: { shop: demo.shop, lineItemId: consent.lineItemId, kind: "refund" } })).toBe(1);
  }, 240_000);
});
