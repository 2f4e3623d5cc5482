// `npm test`: every tier (see vitest.config.ts). The unit tier once; the integration and
// browser tiers on SQLite (the embedded default), then on PostgreSQL. PostgreSQL is
// TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres): skipped with a
// notice when no server answers, except under CI, where it is required.
//   npm test -- --tier unit            one tier (npm run test:unit|test:integration|test:browser)
//   npm test -- test/engine            files whose path contains test/engine, in whichever tier
// Other arguments go to vitest. Chromium is only looked for when browser tests are selected.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ALL_TESTS, BROWSER_TESTS, UNIT_TESTS } from "../vitest.config.ts";

const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
type Tier = "unit" | "integration" | "browser";
const TIERS: Tier[] = ["unit", "integration", "browser"];

const argv = process.argv.slice(2);
const tiers = new Set<Tier>();
const args: string[] = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--tier") {
    for (const t of (argv[++i] ?? "").split(",")) {
      if (!TIERS.includes(t as Tier)) throw new Error(`--tier takes ${TIERS.join(", ")}; got "${t}"`);
      tiers.add(t as Tier);
    }
  } else {
    args.push(argv[i]!);
  }
}
if (tiers.size === 0) TIERS.forEach((t) => tiers.add(t));

// Positional arguments that name test paths filter files, as vitest's own filters do.
const filters = args.filter((a) => !a.startsWith("-") && /[/.]/.test(a));
const glob = (patterns: string[]) => new Set(patterns.flatMap((p) => fs.globSync(p)));
const unitFiles = glob(UNIT_TESTS);
const browserFiles = glob(BROWSER_TESTS);
const filesOf = (tier: Tier): string[] => {
  const all =
    tier === "unit"
      ? unitFiles
      : tier === "browser"
        ? browserFiles
        : [...glob(ALL_TESTS)].filter((f) => !unitFiles.has(f) && !browserFiles.has(f));
  return [...all].filter((f) => filters.length === 0 || filters.some((x) => f.includes(x.replace(/^\.\//, ""))));
};
const selected = (tier: Tier) => tiers.has(tier) && filesOf(tier).length > 0;

type Database = "sqlite" | "postgres";
/** One vitest run: the unit tier (no database), or the database tiers on one database. */
type Run = "unit" | Database;
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "bq-test-report-"));
const reportOf = (run: Run) => path.join(reportDir, `${run}.json`);

function vitest(run: Run, projects: Tier[]): boolean {
  console.log(`\n=== ${run === "unit" ? "unit tier" : `${projects.join(" and ")} tier${projects.length > 1 ? "s" : ""} on ${run}`} ===`);
  const r = spawnSync(
    process.execPath,
    [
      "node_modules/vitest/vitest.mjs",
      "run",
      ...projects.flatMap((p) => ["--project", p]),
      "--passWithNoTests",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${reportOf(run)}`,
      ...args,
    ],
    { stdio: "inherit", env: { ...process.env, TEST_DATABASE: run === "unit" ? "sqlite" : run, TEST_POSTGRES_URL: postgresUrl } },
  );
  return r.status === 0;
}

interface JsonReport {
  numFailedTests?: number;
  testResults?: {
    name: string;
    status: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

/**
 * What failed in each run, printed last: the first run's own output scrolls far away
 * behind the second's, and a CI log often keeps only its end.
 */
function failureSummary(database: Run): string[] {
  let report: JsonReport;
  try {
    report = JSON.parse(fs.readFileSync(reportOf(database), "utf8")) as JsonReport;
  } catch {
    return [`${database}: no report (vitest did not finish)`];
  }
  const out: string[] = [];
  for (const file of report.testResults ?? []) {
    const rel = path.relative(process.cwd(), file.name);
    const failed = (file.assertionResults ?? []).filter((a) => a.status === "failed");
    if (failed.length === 0 && file.status === "failed") out.push(`${database}: ${rel}: ${(file.message ?? "failed").split("\n")[0]}`);
    for (const a of failed) out.push(`${database}: ${rel} > ${a.fullName}: ${(a.failureMessages?.[0] ?? "").split("\n")[0]}`);
  }
  return out;
}

async function postgresAnswers(): Promise<string | null> {
  const c = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * The browser tests drive Debian's Chromium (Playwright's own download is unreachable here).
 * On a fresh machine where we may install packages (root with apt-get), install it, as
 * .ci/run does; elsewhere say what to do rather than fail deep inside a test.
 */
function ensureChromium(): boolean {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (fs.existsSync(chromium)) return true;
  const canInstall = process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v apt-get"]).status === 0 && !process.env.CHROMIUM_PATH;
  if (canInstall) {
    console.log("Chromium is missing: installing Debian's chromium package for the browser tests …");
    const r = spawnSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null"], {
      stdio: "inherit",
    });
    if (r.status === 0 && fs.existsSync(chromium)) return true;
  }
  console.error(
    `The browser tests need Chromium at ${chromium}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`,
  );
  return false;
}

const ran: Run[] = [];
let ok = true;
if (selected("unit")) {
  ran.push("unit");
  ok = vitest("unit", ["unit"]);
}
const databaseTiers = (["integration", "browser"] as const).filter(selected);
if (databaseTiers.includes("browser") && !ensureChromium()) process.exit(1);
if (databaseTiers.length > 0) {
  ran.push("sqlite");
  ok = vitest("sqlite", databaseTiers) && ok;
  const pgProblem = await postgresAnswers();
  if (pgProblem === null) {
    ran.push("postgres");
    ok = vitest("postgres", databaseTiers) && ok;
  } else if (process.env.CI) {
    console.error(`\nPostgreSQL is required under CI but ${postgresUrl} does not answer: ${pgProblem}`);
    ok = false;
  } else {
    console.warn(`\nSkipped the PostgreSQL run: ${postgresUrl} does not answer (${pgProblem}). Set TEST_POSTGRES_URL to run it.`);
  }
}
if (ran.length === 0) {
  console.error(`No test file matches ${filters.join(" ")} in the ${[...tiers].join(", ")} tier(s).`);
  ok = false;
}
const failures = ran.flatMap(failureSummary);
if (!ok) console.error(`\n=== failed ===\n${failures.length ? failures.join("\n") : "see the output above"}`);
fs.rmSync(reportDir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
