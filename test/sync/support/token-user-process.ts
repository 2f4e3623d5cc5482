// One app process using a shop's Admin API the way the worker does: the production gateway
// factory (processGateways, with its token refresher), on the database and Admin origin the
// test passes in the environment. For token-refresh-processes.test.ts: it says "ready",
// waits for "go" (so every process starts at the same moment), reads the shop's facts, then
// reads them again through a new gateway (the token it stored or found must still work), and
// reports both results.
import { db } from "../../../app/db/client.server.ts";
import { processGateways } from "../../../app/sync/gateways.server.ts";

export type TokenUserReport = { type: "done"; first: unknown; second: unknown } | { type: "failed"; error: string };

const shop = process.env.TOKEN_USER_SHOP;
if (!shop || !process.send) throw new Error("started by token-refresh-processes.test.ts (fork, TOKEN_USER_SHOP)");
const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

process.once("message", () => {
  void (async () => {
    let report: TokenUserReport;
    try {
      const first = await processGateways()(shop).shopFacts();
      const second = await processGateways()(shop).shopFacts();
      report = { type: "done", first, second };
    } catch (e) {
      report = { type: "failed", error: e instanceof Error ? e.message : String(e) };
    }
    await db().$disconnect();
    await send(report);
    process.disconnect();
  })();
});
await send({ type: "ready" });
