// Issue 14, item 10: refresh tokens rotate on use, and the web process's worker child and any
// `npm run worker` use the same shop's token. Real processes (the production gateway wiring,
// test/sync/support/token-user-process.ts) on the test's database, all released at once
// against the stand-in with a token that ran out: exactly one refresh reaches the token
// endpoint, which, as Shopify does, refuses a refresh token once it has been used; every
// process ends with the new token working.
import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { TEST_API_KEY, TEST_SECRET } from "../support/webhooks.ts";
import { AdminStandin } from "../../dev/admin-standin/server.ts";
import type { StandinShop } from "../../dev/admin-standin/state.ts";
import type { TokenUserReport } from "./support/token-user-process.ts";

const SHOP = "rotating-tea.myshopify.com";
const PROCESSES = 4;
const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = pathToFileURL(createRequire(path.join(ROOT, "package.json")).resolve("tsx")).href;
const SESSION = { id: `offline_${SHOP}` };

let t: TestDatabase;
let standin: AdminStandin;
let shop: StandinShop;
let origin: string;
let children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase("token_processes");
  standin = new AdminStandin({ client: { id: TEST_API_KEY, secret: TEST_SECRET } });
  shop = standin.addShop({ domain: SHOP, timezone: "Europe/Paris" });
  origin = await standin.listen();
});
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  children = [];
});
afterAll(async () => {
  await standin.close();
  await t.drop();
});

/** The app was installed with an expiring pair; `sessionExpires` is what the session says of the token. */
async function install(sessionExpires: (expiresAt: number) => number) {
  const pair = shop.issueExpiringToken();
  const data = {
    shop: SHOP,
    state: "",
    isOnline: false,
    accessToken: pair.accessToken,
    scope: [...shop.grantedScopes].join(","),
    expires: new Date(sessionExpires(pair.expiresAt)),
    refreshToken: pair.refreshToken,
    refreshTokenExpires: new Date(Date.now() + 90 * 86_400_000),
  };
  await t.db.session.upsert({ where: SESSION, create: { ...SESSION, ...data }, update: data });
  return pair;
}

function message<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type?: string }) => {
      if (m.type === type || (type === "done" && m.type === "failed")) {
        child.off("message", onMessage);
        resolve(m as T);
      }
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new Error(`process ${child.pid} exited (${code}) before "${type}"`)));
  });
}

/** PROCESSES app processes, all released at once; what each reports. */
async function runProcesses(): Promise<TokenUserReport[]> {
  children = Array.from({ length: PROCESSES }, () =>
    fork(path.join(ROOT, "test/sync/support/token-user-process.ts"), [], {
      cwd: ROOT,
      execArgv: ["--import", TSX],
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        SHOPIFY_ADMIN_API_ORIGIN: origin,
        SHOPIFY_API_KEY: TEST_API_KEY,
        SHOPIFY_API_SECRET: TEST_SECRET,
        TOKEN_USER_SHOP: SHOP,
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
  await Promise.all(children.map((c) => message(c, "ready")));
  const reports = children.map((c) => message<TokenUserReport>(c, "done"));
  for (const c of children) c.send({ type: "go" });
  return Promise.all(reports);
}

const facts = { id: `gid://shopify/Shop/${SHOP.split(".")[0]}`, timezone: "Europe/Paris", currency: "USD", locale: "en" };

describe(`${PROCESSES} processes and one shop whose token ran out`, () => {
  it("the session says it expired: one refresh, every process uses the new token", async () => {
    const old = await install((expiresAt) => expiresAt - 61 * 60_000);
    shop.expireAccessToken();
    const calls = standin.calls.length;
    const tokens = standin.tokenRequests.length;

    const reports = await runProcesses();
    expect(reports).toEqual(Array.from({ length: PROCESSES }, () => ({ type: "done", first: facts, second: facts })));
    expect(standin.tokenRequests.slice(tokens)).toEqual([{ shop: SHOP, grantType: "refresh_token", status: 200, error: null }]);
    // Nobody sent the dead token: each waited for the refresh, or found its result stored.
    expect(standin.calls.slice(calls).map((c) => c.status)).toEqual(Array.from({ length: 2 * PROCESSES }, () => 200));
    const s = await t.db.session.findUniqueOrThrow({ where: SESSION });
    expect([s.accessToken, s.refreshToken]).toEqual([shop.accessToken, shop.refreshToken]);
    expect(s.refreshToken).not.toBe(old.refreshToken);
    expect(await t.db.tokenRefreshLease.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ holder: null });

    // The stand-in refuses the spent refresh token, as Shopify does: a second refresh would have failed.
    const replay = await fetch(`${origin}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        client_id: TEST_API_KEY,
        client_secret: TEST_SECRET,
        grant_type: "refresh_token",
        refresh_token: old.refreshToken,
      }),
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
    expect(shop.accessToken).toBe(s.accessToken); // and the refused replay changed nothing
  }, 120_000);

  it("Shopify refuses it while the session says it is valid (401 in every process): one refresh", async () => {
    await install((expiresAt) => expiresAt);
    shop.expireAccessToken(); // ran out early (clock skew): only Shopify knows
    const calls = standin.calls.length;
    const tokens = standin.tokenRequests.length;

    const reports = await runProcesses();
    expect(reports).toEqual(Array.from({ length: PROCESSES }, () => ({ type: "done", first: facts, second: facts })));
    expect(standin.tokenRequests.slice(tokens).map((r) => r.status)).toEqual([200]);
    const statuses = standin.calls.slice(calls).map((c) => c.status);
    // Each process was refused at most once (before its refresh), then every call went through.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(PROCESSES);
    expect(statuses.filter((s) => s === 200).length).toBe(2 * PROCESSES);
    expect((await t.db.session.findUniqueOrThrow({ where: SESSION })).accessToken).toBe(shop.accessToken);
  }, 120_000);
});
