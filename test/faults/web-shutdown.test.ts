// The web process as production runs it (the built app under server/main.ts, its worker child)
// told to stop with SIGTERM while 32 senders keep delivering webhooks: it stops taking work,
// answers what it took, stops its worker (claimed events go back in line), and exits 0 on
// its own, before the hard exit it sets itself for 9 s after the signal (exit 1), so inside
// the 10 s a process manager gives before SIGKILL. Nothing it acknowledged is lost.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { freePort } from "../../dev/app-dev-server.ts";
import { shopifyWebhookHeaders } from "../../dev/webhook-signing.ts";
import { orderPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { API_VERSION } from "../../app/shopify-app.server.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { INBOX_STATUS } from "../../app/inbox/inbox-status.ts";
import { ROOT, waitUntil } from "./support/worker-process.ts";

const SHOP = "web-stop.myshopify.com";
const SECRET = "web-shutdown-secret";
const SENDERS = 32;
/** Not a timing assertion: how long we wait before calling the exit lost (the app's own hard exit is 9 s). */
const EXIT_GUARD_MS = 60_000;

let t: TestDatabase;
let app: ChildProcess | null = null;
let output = "";

/** Builds the app unless build/ is newer than every file under app/ (the other database's run built it). */
function ensureBuild() {
  const built = path.join(ROOT, "build", "server", "index.js");
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...fs.readdirSync(dir, { withFileTypes: true }).map((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs;
      }),
    );
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs > newest(path.join(ROOT, "app"))) return;
  const b = spawnSync(process.execPath, [createRequire(import.meta.url).resolve("@remix-run/dev/dist/cli.js"), "vite:build"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (b.status !== 0) throw new Error(`remix vite:build failed:\n${b.stdout.slice(-3000)}\n${b.stderr.slice(-3000)}`);
}

beforeAll(async () => {
  ensureBuild();
  t = await createTestDatabase("web_stop");
}, 600_000);
afterAll(async () => {
  if (app && app.exitCode === null && app.signalCode === null) app.kill("SIGKILL");
  await t?.drop();
});

describe("web process shutdown under load", () => {
  it("SIGTERM while 32 senders deliver: exits 0 by itself, every acknowledged delivery is kept, none left claimed", async () => {
    const port = await freePort();
    // `npm start` without its migrations (the test database has them): the production server.
    app = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(port),
        DATABASE_URL: t.url,
        SHOPIFY_API_KEY: "web-shutdown",
        SHOPIFY_API_SECRET: SECRET,
        SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (c: Buffer) => (output = (output + c.toString()).slice(-6000));
    app.stdout!.on("data", collect);
    app.stderr!.on("data", collect);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      app!.once("exit", (code, signal) => resolve({ code, signal })),
    );
    const base = `http://127.0.0.1:${port}`;
    await waitUntil(
      async () => {
        try {
          return (await fetch(`${base}/`)).status < 500;
        } catch {
          return false;
        }
      },
      `the app answers on ${base}`,
      120_000,
    );

    // Senders deliver one small order after another until the server stops answering.
    const acknowledged: string[] = [];
    let sending = true;
    let next = 0;
    const sender = async () => {
      while (sending) {
        const i = next++;
        const webhookId = `stop-${i}`;
        const body = JSON.stringify(
          orderPayload({
            id: 7_000_000 + i,
            createdAt: new Date(Date.UTC(2026, 10, 30, 12, 0, i)).toISOString(),
            lines: [{ id: 8_000_000 + i, variantId: 42, quantity: 1 }],
          }),
        );
        try {
          const res = await fetch(`${base}/webhooks`, {
            method: "POST",
            headers: shopifyWebhookHeaders({
              topic: "orders/create",
              shop: SHOP,
              apiVersion: API_VERSION,
              webhookId,
              secret: SECRET,
              body,
            }),
            body,
          });
          await res.arrayBuffer();
          if (res.status === 200) acknowledged.push(webhookId);
        } catch {
          if (app!.exitCode !== null || app!.signalCode !== null) return; // gone: the sender stops
        }
      }
    };
    const senders = Array.from({ length: SENDERS }, sender);
    await waitUntil(async () => acknowledged.length >= 300, "300 deliveries acknowledged", 120_000);
    // The worker child is applying what came in: some events done already.
    await waitUntil(async () => (await t.db.webhookInbox.count({ where: { status: INBOX_STATUS.done } })) > 0, "the worker applies events");

    app.kill("SIGTERM");
    const exit = await Promise.race([
      exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit after SIGTERM:\n${output}`)), EXIT_GUARD_MS)),
    ]);
    sending = false;
    await Promise.all(senders);
    expect(exit, output).toEqual({ code: 0, signal: null });

    // Every delivery it answered 200 is stored; nothing is left claimed by the stopped worker.
    const stored = new Set(
      (await t.db.webhookInbox.findMany({ where: { shop: SHOP }, select: { webhookId: true } })).map((r) => r.webhookId),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(await t.db.webhookInbox.count({ where: { status: INBOX_STATUS.processing } })).toBe(0);
    // The next worker applies the rest.
    await drainInbox(t.db);
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: { not: INBOX_STATUS.done } } })).toBe(0);
    expect(await t.db.orderSnapshot.count({ where: { shop: SHOP } })).toBe(stored.size);
  }, 600_000);
});
