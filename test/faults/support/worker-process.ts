// `npm run worker` as a real process (tsx's CLI, as the npm script runs it), on a database
// of the test's choosing, with its output kept for the test to wait on.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Db } from "../../../app/db/client.server.ts";

export const ROOT = path.resolve(import.meta.dirname, "../../..");
const TSX_CLI = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once `pattern` appears in the output after character `from` (default: anywhere). */
  waitForOutput(pattern: RegExp, opts?: { from?: number; guardMs?: number }): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** SIGKILL to the CLI and the worker it runs, for clean-up after a test. */
  kill(): void;
}

export function startWorkerProcess(databaseUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [TSX_CLI, "scripts/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: tsx's CLI runs the worker in a child of its own, which a SIGKILL
    // to the CLI alone would leave running (on the test's database, or retrying a dropped one).
    detached: true,
  });
  let out = "";
  const waiters = new Set<() => void>();
  const collect = (d: Buffer) => {
    out += d;
    for (const w of waiters) w();
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const w of waiters) w();
  });

  return {
    child,
    output: () => out,
    exited,
    alive: () => !gone,
    kill: () => {
      if (gone || child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
    },
    waitForOutput(pattern, { from = 0, guardMs = 60_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out.slice(from))) return done(resolve);
          if (gone) return done(() => reject(new Error(`worker exited before printing ${pattern}:\n${out.slice(-20000)}`)));
        };
        const guard = setTimeout(
          () => done(() => reject(new Error(`worker did not print ${pattern} within ${guardMs / 1000} s:\n${out.slice(-20000)}`))),
          guardMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(guard);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Polls until `condition` holds; fails only after a generous guard (not a timing assertion). */
export async function waitUntil(condition: () => Promise<boolean>, what: string, guardMs = 120_000): Promise<void> {
  const deadline = Date.now() + guardMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting (${guardMs / 1000} s) until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function inboxCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.webhookInbox.groupBy({ by: ["status"], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}
