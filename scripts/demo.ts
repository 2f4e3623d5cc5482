// `npm run demo`: the offline demo shop (see dev/demo/demo.ts). Ctrl-C stops everything;
// running it again picks up the same day (idempotent).
//   DEMO_APP_PORT (3000), DEMO_STOREFRONT_PORT (4100), DEMO_STANDIN_PORT (3457),
//   DATABASE_URL (file:data/demo.sqlite), DEMO_PACE_MS (250: pause between the day's events)
import { assertPortFree } from "../dev/app-dev-server.ts";
import { startDemo } from "../dev/demo/demo.ts";

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ports = {
  appPort: port("DEMO_APP_PORT", 3000),
  storefrontPort: port("DEMO_STOREFRONT_PORT", 4100),
  standinPort: port("DEMO_STANDIN_PORT", 3457),
};

try {
  await assertPortFree(ports.appPort, "DEMO_APP_PORT");
  await assertPortFree(ports.storefrontPort, "DEMO_STOREFRONT_PORT");
  await assertPortFree(ports.standinPort, "DEMO_STANDIN_PORT");
} catch (e) {
  console.error(`npm run demo: ${(e as Error).message}`);
  process.exit(1);
}

let appLog = "";
const demo = await startDemo({
  ...ports,
  paceMs: Number(process.env.DEMO_PACE_MS ?? 250),
  appOutput: (chunk) => {
    appLog += chunk;
    // Vite's banner is noise here; errors are not.
    if (/error|warn/i.test(chunk) && !/favicon/.test(chunk)) process.stderr.write(`[app] ${chunk}`);
  },
}).catch((e: unknown) => {
  console.error(`\nnpm run demo failed: ${(e as Error).message}`);
  if (appLog) console.error(`\nThe app printed:\n${appLog.slice(-4000)}`);
  process.exit(1);
});

const r = demo.report;
const waiting = await demo.db.backorderLine.findMany({
  where: { shop: demo.shop, state: "waiting" },
  orderBy: [{ variantId: "asc" }, { orderedAt: "asc" }],
  select: { orderName: true, title: true, waitingQuantity: true, customerName: true },
});
console.log(
  `\n${r.accepted} webhooks taken in, ${r.duplicates} duplicates ignored${r.refused.length ? `, ${r.refused.length} checkout refused (backorder limit)` : ""}.`,
);
if (r.inboxProblems || r.syncProblems.length)
  console.log(`Problems to look at in Settings: ${r.inboxProblems} dead webhooks, ${r.syncProblems.length} failed Shopify pushes.`);
console.log(`\nWaiting for stock at the end of the day:`);
console.table(waiting.map((l) => ({ order: l.orderName, customer: l.customerName ?? "", item: l.title, units: l.waitingQuantity })));
console.log(`
Merchant admin (Polaris; the offline demo's way in, no Shopify login):
  ${demo.adminUrl}          dashboard
  ${demo.adminUrl}/queue    the backorder queue
  ${demo.adminUrl}/variants per-variant settings
  ${demo.adminUrl}/settings shop settings and sync problems
Storefront (Dawn product pages with the backorder block):
${demo.products.map((p) => `  ${p.url}   ${p.title}`).join("\n")}
${
  demo.consent
    ? `A delay notice's links for ${demo.consent.orderName} (${demo.consent.title}), on the shop's App Proxy:
  ${demo.consent.keepUrl}
  ${demo.consent.cancelUrl}
`
    : ""
}
Change a restock date in the admin and reload a product page: the app pushes the new date
to the (stand-in) Shopify and the page shows it. Ctrl-C stops the demo; npm run demo resumes it.`);

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1); // a second Ctrl-C: do not wait
  stopping = true;
  console.log("\nStopping the demo …");
  void demo.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
