// The one configuration module: every variable the app reads is documented in .env.example,
// and a bad configuration fails at start-up naming every problem at once.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { assertServerConfig, ConfigError, ENV_VARIABLES, readRuntimeConfig, runtimeConfig } from "../app/config.server.ts";

const good = { SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "secret", DATABASE_URL: "file:/tmp/x.sqlite" };

describe("configuration", () => {
  it(".env.example lists exactly the variables the app reads", () => {
    const listed = fs
      .readFileSync(".env.example", "utf8")
      .split("\n")
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.slice(0, l.indexOf("=")));
    expect([...listed].sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it("no module of the app reads process.env but the configuration's own", () => {
    const offenders = fs
      .globSync("app/**/*.{ts,tsx}")
      .filter((f) => !["app/config.server.ts", "app/db/url.ts"].includes(f))
      .filter((f) => /process\.env/.test(fs.readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("takes a complete configuration, with defaults for what is unset", () => {
    const { app, runtime } = assertServerConfig(good);
    expect(app).toMatchObject({ apiKey: "key", apiSecret: "secret", appUrl: "http://localhost:3000" });
    expect(runtime).toMatchObject({
      databaseUrl: "file:/tmp/x.sqlite",
      worker: "on",
      logLevel: "warning",
      adminApiOrigin: undefined,
      demoShop: undefined,
    });
    expect(runtime.webhook.maxBodyBytes).toBe(45 * 1024 * 1024);
  });

  it("takes the email relay and its From address, and refuses what is not one", () => {
    expect(readRuntimeConfig({ SMTP_URL: "smtp://u:p@relay.example:587", EMAIL_FROM: "Shop <orders@shop.example>" }).email).toEqual({
      smtpUrl: "smtp://u:p@relay.example:587",
      from: "Shop <orders@shop.example>",
    });
    expect(readRuntimeConfig({}).email).toEqual({ smtpUrl: undefined, from: undefined });
    let error: unknown;
    try {
      readRuntimeConfig({ SMTP_URL: "http://relay.example", EMAIL_FROM: "orders at shop" });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      "SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…",
      'EMAIL_FROM must be an email address, got "orders at shop"',
    ]);
  });

  it("names every problem at once", () => {
    let error: unknown;
    try {
      assertServerConfig({
        DATABASE_URL: "mysql://root@db/x",
        SHOPIFY_APP_URL: "not a url",
        BACKORDER_WORKER: "maybe",
        SHOPIFY_LOG_LEVEL: "loud",
        SHOPIFY_ADMIN_API_ORIGIN: "ftp://x",
        WEBHOOK_MAX_BODY_BYTES: "32MB",
        BACKORDER_LEASE_MS: "5",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    for (const name of [
      "SHOPIFY_API_KEY",
      "SHOPIFY_API_SECRET",
      "SHOPIFY_APP_URL",
      "DATABASE_URL",
      "BACKORDER_WORKER",
      "SHOPIFY_LOG_LEVEL",
      "SHOPIFY_ADMIN_API_ORIGIN",
      "WEBHOOK_MAX_BODY_BYTES",
      "BACKORDER_LEASE_MS",
    ]) {
      expect(problems).toContain(name);
    }
    expect((error as Error).message).toContain(".env.example");
  });

  it("the runtime part does not need the credentials (a worker may run without them)", () => {
    expect(readRuntimeConfig({ DATABASE_URL: "postgresql://u@h/db", BACKORDER_WORKER: "off" })).toMatchObject({
      worker: "off",
      databaseUrl: "postgresql://u@h/db",
    });
  });

  it("is read once, and again when one of its variables changes", () => {
    const before = process.env.BACKORDER_DEMO_SHOP;
    try {
      process.env.BACKORDER_DEMO_SHOP = "a.myshopify.com";
      const first = runtimeConfig();
      expect(runtimeConfig()).toBe(first);
      process.env.BACKORDER_DEMO_SHOP = "b.myshopify.com";
      expect(runtimeConfig().demoShop).toBe("b.myshopify.com");
    } finally {
      if (before === undefined) delete process.env.BACKORDER_DEMO_SHOP;
      else process.env.BACKORDER_DEMO_SHOP = before;
    }
  });

  it("does not print a database password it refuses", () => {
    expect(() => readRuntimeConfig({ DATABASE_URL: "mysql://root:hunter2@db/x" })).toThrow(/DATABASE_URL/);
    expect(() => readRuntimeConfig({ DATABASE_URL: "mysql://root:hunter2@db/x" })).not.toThrow(/hunter2/);
  });
});
