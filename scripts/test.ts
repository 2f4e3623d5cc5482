// `npm test`: the whole suite on SQLite (the embedded default), then on PostgreSQL.
// PostgreSQL is TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres):
// skipped with a notice when no server answers, except under CI, where it is required.
// Extra arguments go to vitest (e.g. `npm test -- test/engine`).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const args = process.argv.slice(2);

type Database = "sqlite" | "postgres";
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "bq-test-report-"));
const reportOf = (database: Database) => path.join(reportDir, `${database}.json`);

function vitest(database: Database): boolean {
  console.log(`\n=== test suite on ${database} ===`);
  const r = spawnSync(
    process.execPath,
    ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${reportOf(database)}`, ...args],
    { stdio: "inherit", env: { ...process.env, TEST_DATABASE: database, TEST_POSTGRES_URL: postgresUrl } },
  );
  return r.status === 0;
}

interface JsonReport {
  numFailedTests?: number;
  testResults?: { name: string; status: string; message?: string; assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[] }[];
}

/**
 * What failed in each run, printed last: the first run's own output scrolls far away
 * behind the second's, and a CI log often keeps only its end.
 */
function failureSummary(database: Database): string[] {
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
    const r = spawnSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null"], { stdio: "inherit" });
    if (r.status === 0 && fs.existsSync(chromium)) return true;
  }
  console.error(`The browser tests need Chromium at ${chromium}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`);
  return false;
}

if (!ensureChromium()) process.exit(1);
const ran: Database[] = ["sqlite"];
let ok = vitest("sqlite");
const pgProblem = await postgresAnswers();
if (pgProblem === null) {
  ran.push("postgres");
  ok = vitest("postgres") && ok;
} else if (process.env.CI) {
  console.error(`\nPostgreSQL is required under CI but ${postgresUrl} does not answer: ${pgProblem}`);
  ok = false;
} else {
  console.warn(`\nSkipped the PostgreSQL run: ${postgresUrl} does not answer (${pgProblem}). Set TEST_POSTGRES_URL to run it.`);
}
const failures = ran.flatMap(failureSummary);
if (!ok) console.error(`\n=== failed ===\n${failures.length ? failures.join("\n") : "see the output above"}`);
fs.rmSync(reportDir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
