// Isolation: the web process's worker is a supervised child process, so a
// big event is applied outside the web process. Under `remix vite:dev` (as in the demo):
// webhooks wake the child; a child that dies is replaced; when the web process goes away
// the child stops by itself instead of being left behind.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { DEMO_API_SECRET, startAppDevServer, type AppDevServer } from "../../dev/app-dev-server.ts";
import { shopifyWebhookHeaders } from "../../dev/webhook-signing.ts";
import { orderPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { API_VERSION } from "../../app/shopify-app.server.ts";
import { waitUntil } from "./support/worker-process.ts";

const SHOP = "child.myshopify.com";
let t: TestDatabase;
let app: AppDevServer;

beforeAll(async () => {
  t = await createTestDatabase("worker_child");
  app = await startAppDevServer({ databaseUrl: t.url, shop: SHOP, worker: true });
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

let seq = 0;
async function deliverOrder() {
  const n = ++seq;
  const body = JSON.stringify(
    orderPayload({ id: 960_000 + n, createdAt: "2026-11-03T10:00:00Z", lines: [{ id: 961_000 + n, variantId: 40_003, quantity: 1 }] }),
  );
  const headers = shopifyWebhookHeaders({
    shop: SHOP,
    topic: "orders/create",
    apiVersion: API_VERSION,
    webhookId: `child-${n}`,
    secret: DEMO_API_SECRET,
    body,
  });
  const r = await fetch(`${app.url}/webhooks`, { method: "POST", headers, body });
  expect(r.status).toBe(200);
}

const allDone = async () => (await t.db.webhookInbox.count({ where: { status: { not: "done" } } })) === 0;
const childPids = () => [...app.output().matchAll(/\[worker\] started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
/** Linux: a process's parent pid (the fourth field of /proc/<pid>/stat). */
const parentOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);

describe("the web process's worker child", () => {
  it("applies webhooks in a process of its own, and a new child replaces one that died", async () => {
    await waitUntil(async () => childPids().length === 1, "the worker child has started");
    const [first] = childPids() as [number];
    const web = parentOf(first);
    expect(first).not.toBe(web);

    for (let i = 0; i < 5; i++) await deliverOrder();
    await waitUntil(allDone, "the child has applied the webhooks");

    process.kill(first, "SIGKILL"); // a crash (or the OOM killer) takes the child
    await waitUntil(async () => childPids().length === 2, "another worker child has started");
    const second = childPids()[1]!;
    expect(second).not.toBe(first);
    expect(parentOf(second)).toBe(web);
    expect(app.output()).toMatch(new RegExp(`worker process ${first} exited \\(SIGKILL\\); starting another`));

    for (let i = 0; i < 5; i++) await deliverOrder();
    await waitUntil(allDone, "the new child has applied the webhooks sent after the crash");
    expect(await t.db.webhookInbox.count({ where: { status: "done" } })).toBe(10);

    // The web process dies without a word (SIGKILL): the child notices and stops cleanly.
    const from = app.output().length;
    process.kill(web, "SIGKILL");
    await waitUntil(async () => /\[worker\] stopped/.test(app.output().slice(from)), "the orphaned child has stopped");
    expect(app.output().slice(from)).toMatch(/\[worker\] the web process went away: finishing the work in hand/);
  }, 240_000);
});
