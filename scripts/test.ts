// `npm test`: the whole suite on SQLite (the embedded default), then on PostgreSQL.
// PostgreSQL is TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres):
// skipped with a notice when no server answers, except under CI, where it is required.
// Extra arguments go to vitest (e.g. `npm test -- test/engine`).
import { spawnSync } from "node:child_process";
import pg from "pg";

const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const args = process.argv.slice(2);

function vitest(database: "sqlite" | "postgres"): boolean {
  console.log(`\n=== test suite on ${database} ===`);
  const r = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", ...args], {
    stdio: "inherit",
    env: { ...process.env, TEST_DATABASE: database, TEST_POSTGRES_URL: postgresUrl },
  });
  return r.status === 0;
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

let ok = vitest("sqlite");
const pgProblem = await postgresAnswers();
if (pgProblem === null) {
  ok = vitest("postgres") && ok;
} else if (process.env.CI) {
  console.error(`\nPostgreSQL is required under CI but ${postgresUrl} does not answer: ${pgProblem}`);
  ok = false;
} else {
  console.warn(`\nSkipped the PostgreSQL run: ${postgresUrl} does not answer (${pgProblem}). Set TEST_POSTGRES_URL to run it.`);
}
process.exit(ok ? 0 : 1);
