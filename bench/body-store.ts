// How long storing one large webhook body blocks the process's event loop: the body as one
// parameter of one INSERT (what the door did before) beside the body in parts with the loop
// free in between (what it does now), alternated in the same run, plus a group-commit batch
// of small bodies at its byte limit. `npx tsx bench/body-store.ts [sqlite|postgres]`;
// MB=40 (body size), RUNS=3.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createDb } from "../app/db/client.server.ts";
import { storeDelivery } from "../app/inbox/inbox.server.ts";
import { DEFAULT_INBOX_WRITER_LIMITS, InboxWriter, storeBatch } from "../app/inbox/inbox-writer.server.ts";
import { PART_BYTES, readBodyParts } from "../app/inbox/body-parts.server.ts";
import { throwawayDatabase } from "./support/throwaway-database.ts";

const provider = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const MB = Number(process.env.MB ?? 40);
const RUNS = Number(process.env.RUNS ?? 3);
const SHOP = "body-store.myshopify.com";

const database = await throwawayDatabase(provider, "bodystore");
const db = createDb(database.url);
const writer = new InboxWriter(db);

// A body of MB megabytes with multi-byte characters (they may straddle two parts).
const unit = '{"note":"Grüße 😀 ';
const body = `${unit}${"x".repeat(MB * 1024 * 1024 - Buffer.byteLength(unit) - 2)}"}`;

interface Figure {
  ms: number;
  maxLagMs: number;
  p99LagMs: number;
  /** The longest gap between two ticks of a 5 ms interval: what a request arriving then waits. */
  maxGapMs: number;
}

/** Runs `work` with the event-loop delay histogram on, and a 5 ms ticker beside it. */
async function measure(work: () => Promise<unknown>): Promise<Figure> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  let last = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 5);
  h.enable();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  // One more turn so a block at the very end is counted.
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  clearInterval(ticker);
  return { ms, maxLagMs: h.max / 1e6, p99LagMs: h.percentile(99) / 1e6, maxGapMs };
}

/** CPU work that never holds the thread for more than 1 ms: any longer gap is the machine's. */
async function busySliced() {
  const end = performance.now() + 2000;
  while (performance.now() < end) {
    const slice = performance.now() + 1;
    while (performance.now() < slice);
    await new Promise((r) => setImmediate(r));
  }
}

const rows: { kind: string; f: Figure }[] = [];
let n = 0;
for (let run = 0; run < RUNS; run++) {
  // The controls: on a loaded machine the process is also descheduled, the more so when it is busy.
  rows.push({ kind: "control: idle for 1 s", f: await measure(() => new Promise((r) => setTimeout(r, 1000))) });
  rows.push({ kind: "control: busy for 2 s, in 1 ms slices", f: await measure(busySliced) });
  rows.push({
    kind: `one parameter (${MB} MB)`,
    f: await measure(() => storeDelivery(db, { shop: SHOP, topic: "orders/create", webhookId: `one-${n++}`, payload: body })),
  });
  rows.push({
    kind: `parts of ${PART_BYTES / 1024} KiB (${MB} MB)`,
    f: await measure(() => writer.store({ shop: SHOP, topic: "orders/create", webhookId: `parts-${n++}`, payload: body })),
  });
  // A group-commit batch at its byte limit: small bodies that together fill it.
  const each = Math.floor(Math.min(PART_BYTES, DEFAULT_INBOX_WRITER_LIMITS.maxBytes / 4) * 0.99);
  const count = Math.floor(DEFAULT_INBOX_WRITER_LIMITS.maxBytes / each);
  const small = `{"note":"${"y".repeat(each - 12)}"}`;
  rows.push({
    kind: `group commit: ${count} × ${(each / 1024).toFixed(0)} KiB in one INSERT`,
    f: await measure(() =>
      storeBatch(
        db,
        Array.from({ length: count }, () => ({ shop: SHOP, topic: "orders/create", webhookId: `batch-${n++}`, payload: small })),
      ),
    ),
  });
}

// The parted body reads back as sent.
const parted = await db.webhookInbox.findFirst({ where: { shop: SHOP, bodyId: { not: null } }, select: { bodyId: true } });
const back = await measure(async () => {
  if ((await readBodyParts(db, parted!.bodyId!)) !== body) throw new Error("parted body did not read back as sent");
});

console.log(
  `\n${provider}, ${MB} MB body, ${RUNS} runs (load: ${(await import("node:os"))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")})`,
);
console.log("| store | wall time | event-loop delay max / p99 | longest gap of a 5 ms ticker |");
console.log("| --- | ---: | ---: | ---: |");
const line = (kind: string, f: Figure) =>
  console.log(`| ${kind} | ${f.ms.toFixed(0)} ms | ${f.maxLagMs.toFixed(0)} / ${f.p99LagMs.toFixed(0)} ms | ${f.maxGapMs.toFixed(0)} ms |`);
for (const { kind, f } of rows) line(kind, f);
line("read back in parts", back);

await db.$disconnect();
await database.drop();
