// The web process and `npm run worker` are two clients of one database. On SQLite they
// share a file: a write while another process holds the write lock must wait for it, not
// fail (libsql's default is to fail at once with SQLITE_BUSY, which would turn into 500s
// on webhooks and retried events). PostgreSQL has row locks and needs none of this.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("shared_db");
});

afterAll(async () => {
  await t?.drop();
});

/** Another process takes the write lock, says so, keeps it for `holdMs`, then commits. */
function holdWriteLock(url: string, holdMs: number) {
  const script = `
    import { createClient } from "@libsql/client";
    const c = createClient({ url: process.argv[1] });
    const tx = await c.transaction("write");
    await tx.execute("INSERT INTO ShopSettings (shop) VALUES ('holder.myshopify.com')");
    console.log("locked");
    await new Promise((r) => setTimeout(r, Number(process.argv[2])));
    await tx.commit();
    console.log("committed");`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, url, String(holdMs)], {
    cwd: path.resolve(import.meta.dirname, "../.."),
  });
  let out = "";
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("locked")) resolve();
    });
    child.stderr.on("data", (d) => (out += d));
    child.once("exit", (code) => reject(new Error(`lock holder exited ${code}: ${out}`)));
  });
  const done = new Promise<string>((resolve) => child.once("exit", () => resolve(out)));
  return { locked, done };
}

/** Another process writes one row when told to (stdin), waiting on the lock like the app does. */
function writeOnCue(url: string) {
  const script = `
    import { createClient } from "@libsql/client";
    const c = createClient({ url: process.argv[1], timeout: 15000 });
    console.log("ready");
    process.stdin.once("data", async () => {
      await c.execute("INSERT INTO ShopSettings (shop) VALUES ('other.myshopify.com')");
      console.log("committed");
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, url], { cwd: path.resolve(import.meta.dirname, "../..") });
  let out = "";
  const ready = new Promise<void>((resolve) => child.stdout.on("data", (d) => ((out += d), out.includes("ready") && resolve())));
  child.stderr.on("data", (d) => (out += d));
  const done = new Promise<string>((resolve) => child.once("exit", () => resolve(out)));
  return { ready, go: () => child.stdin.write("go\n"), done };
}

describe.runIf(testProvider() === "sqlite")("two processes on one SQLite file", () => {
  it("a transaction that reads, then writes after another process wrote, still commits", async () => {
    const other = writeOnCue(t.url);
    await other.ready;
    await t.db.$transaction(async (tx) => {
      await tx.shopSettings.findMany(); // the read that a DEFERRED transaction would start its snapshot with
      other.go();
      // Give the other process time to write; it must wait for us instead of invalidating our read.
      await new Promise((r) => setTimeout(r, 400));
      await tx.shopSettings.create({ data: { shop: "reader-writer.myshopify.com" } });
    });
    expect(await other.done).toContain("committed");
    const shops = (await t.db.shopSettings.findMany({ select: { shop: true } })).map((s) => s.shop);
    expect(shops).toEqual(expect.arrayContaining(["reader-writer.myshopify.com", "other.myshopify.com"]));
  });

  it("a write waits for the other process's write transaction instead of failing", async () => {
    const holder = holdWriteLock(t.url, 700);
    await holder.locked;
    await expect(t.db.shopSettings.create({ data: { shop: "waiter.myshopify.com" } })).resolves.toMatchObject({
      shop: "waiter.myshopify.com",
    });
    expect(await holder.done).toContain("committed");
    const shops = (await t.db.shopSettings.findMany({ select: { shop: true } })).map((s) => s.shop);
    expect(shops).toEqual(expect.arrayContaining(["holder.myshopify.com", "waiter.myshopify.com"]));
  });
});
