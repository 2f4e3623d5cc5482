// A figures thread that dies, for test/worker/figures-thread.test.ts. With FIGURES_CRASH_MARKER
// it dies on the first mark it receives (before the warmer sees it), once: the marker file says
// it has. With FIGURES_CRASH_ALWAYS it dies as it loads, every time. Otherwise the real thread.
import { existsSync, writeFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";

if (process.env.FIGURES_CRASH_ALWAYS) throw new Error("the figures thread crashed as it loaded (test)");
const marker = process.env.FIGURES_CRASH_MARKER;
if (marker && !existsSync(marker)) {
  parentPort?.once("message", () => {
    writeFileSync(marker, "");
    throw new Error("the figures thread crashed on a mark (test)");
  });
}
await import("../../../app/worker/figures-thread-entry.server.ts");
