// The app's one configuration module: every environment variable the app reads is read and
// checked here (the list is ENV_VARIABLES; .env.example documents each). The web process
// checks all of it at start-up (assertServerConfig in entry.server.tsx), so a missing secret
// or a malformed value fails there, with every problem named, instead of as a 500 later.
import { databaseUrl } from "./db/url.ts";
export interface AppConfig {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  scopes: string[];
}

/**
 * The access scopes the app requests; the same list as shopify.app.toml. Derived from
 * Shopify's schema by test/standin/scopes.test.ts (every document in
 * app/shopify/admin-queries.ts and every webhook topic): it fails on a missing or unused one.
 */
export const DEFAULT_SCOPES = [
  "read_orders",
  "write_orders",
  "read_products",
  "write_products",
  "read_inventory",
  "read_locations",
  "read_locales",
  "read_themes",
  "read_fulfillments",
  "read_merchant_managed_fulfillment_orders",
  "write_merchant_managed_fulfillment_orders",
  "write_app_proxy",
];

export function appConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const missing = ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET"].filter((k) => !env[k]);
  if (missing.length) {
    throw new Error(
      `Missing ${missing.join(", ")}. Run through \`shopify app dev\` (it sets them), ` +
        "or use `npm run demo` for the offline demo shop.",
    );
  }
  return {
    apiKey: env.SHOPIFY_API_KEY!,
    apiSecret: env.SHOPIFY_API_SECRET!,
    appUrl: env.SHOPIFY_APP_URL ?? "http://localhost:3000",
    scopes: env.SCOPES ? env.SCOPES.split(",").map((s) => s.trim()) : DEFAULT_SCOPES,
  };
}

/** Largest webhook body the door reads, in bytes: a 100,000-line order is about 40 MiB. */
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 45 * 1024 * 1024;

export interface WebhookLimits {
  /** A longer body is refused with 413 (WEBHOOK_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Bytes all deliveries in the process may be reading at once (WEBHOOK_BODY_BUDGET_BYTES). */
  budgetBytes: number;
}

type Env = Record<string, string | undefined>;

function positiveInteger(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new Error(`${name} must be a whole number of bytes, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

export function webhookLimits(env: Env = process.env): WebhookLimits {
  const maxBodyBytes = positiveInteger(env, "WEBHOOK_MAX_BODY_BYTES") ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES;
  const budgetBytes = positiveInteger(env, "WEBHOOK_BODY_BUDGET_BYTES") ?? 4 * maxBodyBytes;
  // A budget smaller than one body would refuse every delivery of the largest allowed size.
  if (budgetBytes < maxBodyBytes) {
    throw new Error(`WEBHOOK_BODY_BUDGET_BYTES (${budgetBytes}) must be at least WEBHOOK_MAX_BODY_BYTES (${maxBodyBytes})`);
  }
  return { maxBodyBytes, budgetBytes };
}

/** Every environment variable the app itself reads (scripts, benches and tests have their own). */
export const ENV_VARIABLES = [
  "DATABASE_URL",
  "SHOPIFY_API_KEY",
  "SHOPIFY_API_SECRET",
  "SHOPIFY_APP_URL",
  "SCOPES",
  "WEBHOOK_MAX_BODY_BYTES",
  "WEBHOOK_BODY_BUDGET_BYTES",
  "BACKORDER_WORKER",
  "BACKORDER_LEASE_MS",
  "SHOPIFY_LOG_LEVEL",
  "SHOPIFY_ADMIN_API_ORIGIN",
  "BACKORDER_DEMO_SHOP",
  "SMTP_URL",
  "EMAIL_FROM",
] as const;

/** What both processes need besides the app's credentials (the worker may run without them). */
export interface RuntimeConfig {
  databaseUrl: string;
  webhook: WebhookLimits;
  /** "off": the web process starts no worker child; `npm run worker` runs it instead. */
  worker: "on" | "off";
  /**
   * How long a killed worker's claim (its events, its shop) blocks the others before they take
   * it over; undefined: the worker's LEASE_MS (60 s). Must outlast any chunk.
   */
  leaseMs: number | undefined;
  logLevel: "debug" | "warning";
  /** Admin API and token endpoint origin instead of https://<shop> (the offline stand-in). */
  adminApiOrigin: string | undefined;
  /** Dev server only: the admin acts for this shop without Shopify auth. */
  demoShop: string | undefined;
  /** Customer emails: the relay shops without their own SMTP server send through, and its From address. */
  email: { smtpUrl: string | undefined; from: string | undefined };
}

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`The app's configuration is not usable:\n${problems.map((p) => `  - ${p}`).join("\n")}\n(see .env.example)`);
  }
}

const oneOf = <T extends string>(env: Env, name: string, values: readonly T[], fallback: T, problems: string[]): T => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${name} must be one of ${values.join(", ")}, got ${JSON.stringify(raw)}`);
  return fallback;
};

const origin = (env: Env, name: string, problems: string[]): string | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol === "http:" || u.protocol === "https:") return raw;
  } catch {
    // reported below
  }
  problems.push(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return undefined;
};

const leaseMs = (env: Env, problems: string[]): number | undefined => {
  const raw = env.BACKORDER_LEASE_MS;
  if (raw === undefined || raw === "") return undefined;
  if (/^\d+$/.test(raw) && Number(raw) >= 1_000 && Number.isSafeInteger(Number(raw))) return Number(raw);
  problems.push(`BACKORDER_LEASE_MS must be a whole number of milliseconds, at least 1000, got ${JSON.stringify(raw)}`);
  return undefined;
};

const smtpUrl = (env: Env, problems: string[]): string | undefined => {
  const raw = env.SMTP_URL;
  if (raw === undefined || raw === "") return undefined;
  try {
    const u = new URL(raw);
    if ((u.protocol === "smtp:" || u.protocol === "smtps:") && u.hostname) return raw;
  } catch {
    // reported below
  }
  problems.push("SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…");
  return undefined;
};

const emailAddress = (env: Env, name: string, problems: string[]): string | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  // A bare address or a display name with one: "Shop <orders@shop.example>".
  if (/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(raw.trim())) return raw.trim();
  problems.push(`${name} must be an email address, got ${JSON.stringify(raw)}`);
  return undefined;
};

/** Reads and checks everything but the credentials; throws a ConfigError naming every problem. */
export function readRuntimeConfig(env: Env = process.env): RuntimeConfig {
  const problems: string[] = [];
  const url = env.DATABASE_URL;
  if (url !== undefined && url !== "" && !/^(file:|postgres(ql)?:\/\/)/.test(url)) {
    problems.push(
      `DATABASE_URL must be file:<path> (SQLite) or postgresql://… (PostgreSQL), got ${JSON.stringify(url.replace(/\/\/[^@/]*@/, "//…@"))}`,
    );
  }
  let webhook: WebhookLimits = { maxBodyBytes: DEFAULT_WEBHOOK_MAX_BODY_BYTES, budgetBytes: 4 * DEFAULT_WEBHOOK_MAX_BODY_BYTES };
  try {
    webhook = webhookLimits(env);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const config: RuntimeConfig = {
    databaseUrl: url ? url : "",
    webhook,
    worker: oneOf(env, "BACKORDER_WORKER", ["on", "off"] as const, "on", problems),
    leaseMs: leaseMs(env, problems),
    logLevel: oneOf(env, "SHOPIFY_LOG_LEVEL", ["debug", "warning"] as const, "warning", problems),
    adminApiOrigin: origin(env, "SHOPIFY_ADMIN_API_ORIGIN", problems),
    demoShop: env.BACKORDER_DEMO_SHOP || undefined,
    email: { smtpUrl: smtpUrl(env, problems), from: emailAddress(env, "EMAIL_FROM", problems) },
  };
  if (problems.length) throw new ConfigError(problems);
  // The default SQLite file is created on first use, not while checking.
  if (!config.databaseUrl) config.databaseUrl = databaseUrl(env);
  return config;
}

let runtime: { key: string; config: RuntimeConfig } | undefined;
/**
 * The process's runtime configuration: read and checked once, and again only if one of its
 * variables changed since (tests set them; a process's environment otherwise stays put).
 */
export function runtimeConfig(): RuntimeConfig {
  const key = ENV_VARIABLES.map((name) => process.env[name] ?? "\u0000").join("\u0001");
  if (runtime?.key !== key) runtime = { key, config: readRuntimeConfig() };
  return runtime.config;
}

/**
 * The web process's check at start-up: everything, the credentials included. Throws one
 * ConfigError naming every problem.
 */
export function assertServerConfig(env: Env = process.env): { app: AppConfig; runtime: RuntimeConfig } {
  const problems: string[] = [];
  let app: AppConfig | undefined;
  let rt: RuntimeConfig | undefined;
  try {
    app = appConfig(env as NodeJS.ProcessEnv);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (env.SHOPIFY_APP_URL) {
    const bad = origin(env, "SHOPIFY_APP_URL", []) === undefined;
    if (bad) problems.push(`SHOPIFY_APP_URL must be an http(s) URL, got ${JSON.stringify(env.SHOPIFY_APP_URL)}`);
  }
  try {
    rt = readRuntimeConfig(env);
  } catch (e) {
    problems.push(...(e instanceof ConfigError ? e.problems : [(e as Error).message]));
  }
  if (problems.length || !app || !rt) throw new ConfigError(problems);
  return { app, runtime: rt };
}
