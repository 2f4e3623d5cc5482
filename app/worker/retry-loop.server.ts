// A long-running loop that outlives database outages: a pass that throws (the database
// went away, a SQLite file stayed locked past its busy timeout) is logged once per outage,
// retried with backoff (1 s doubling to 30 s) and the loop resumes by itself when a pass
// succeeds again. The work itself is durable in the database, so a failed pass loses nothing.

export const OUTAGE_FIRST_DELAY_MS = 1_000;
export const OUTAGE_MAX_DELAY_MS = 30_000;

export const outageDelayMs = (failures: number): number =>
  Math.min(OUTAGE_MAX_DELAY_MS, OUTAGE_FIRST_DELAY_MS * 2 ** Math.max(0, failures - 1));

export interface RetryLoopOptions {
  /** Names the loop in its log lines ("inbox", "sync", "dates"). */
  name: string;
  /** One pass over the work that is due. */
  pass: (signal: AbortSignal) => Promise<void>;
  /** Pause between passes while healthy (a wake cuts it short). */
  pollMs: number;
  signal: AbortSignal;
  log?: (line: string) => void;
}

export class RetryLoop {
  private woken = false;
  private cutPause: (() => void) | null = null;

  constructor(private readonly opts: RetryLoopOptions) {}

  /** Runs another pass as soon as the current one ends (wakes coalesce into one pass). */
  wake() {
    this.woken = true;
    this.cutPause?.();
  }

  /** Runs until the signal aborts; never rejects. */
  async run(): Promise<void> {
    const { name, pass, pollMs, signal } = this.opts;
    const log = this.opts.log ?? ((line: string) => console.error(line));
    let failures = 0;
    let outageStart = 0;
    while (!signal.aborted) {
      this.woken = false;
      try {
        await pass(signal);
        if (failures > 0) {
          log(
            `[worker] ${name}: database back after ${Math.round((Date.now() - outageStart) / 1000)} s (${failures} failed passes); resuming`,
          );
        }
        failures = 0;
      } catch (e) {
        if (signal.aborted) break;
        if (failures === 0) {
          outageStart = Date.now();
          log(
            `[worker] ${name}: database unavailable or failing (${describe(e)}); retrying in ${OUTAGE_FIRST_DELAY_MS / 1000} s, backing off to ${OUTAGE_MAX_DELAY_MS / 1000} s, quiet until it answers`,
          );
        }
        failures++;
      }
      // While failing, a wake does not cut the backoff short: a burst of webhooks must not hammer a database that is down.
      if (failures === 0 && this.woken) continue;
      await this.pause(failures > 0 ? outageDelayMs(failures) : pollMs, failures === 0);
    }
  }

  private pause(ms: number, wakeable: boolean): Promise<void> {
    const { signal } = this.opts;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", end);
        this.cutPause = null;
        resolve();
      };
      const timer = setTimeout(end, ms);
      signal.addEventListener("abort", end);
      if (wakeable) this.cutPause = end;
    });
  }
}

/** One line: Prisma's messages carry the failed call and a code excerpt; the driver's own words say more. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e).slice(0, 300);
  const err = e as Error & { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalMessage?: unknown; kind?: unknown } } } };
  const cause = err.meta?.driverAdapterError?.cause;
  const lastLine = err.message.trim().split("\n").pop() ?? "";
  const what =
    typeof cause?.originalMessage === "string"
      ? cause.originalMessage
      : typeof cause?.kind === "string"
        ? `${cause.kind}: ${lastLine}`
        : lastLine;
  return `${typeof err.code === "string" ? `${err.code} ` : ""}${what || err.name}`.slice(0, 300);
}
