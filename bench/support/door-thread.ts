// The benches' handle on bench/support/inbox-writer-thread.ts (the web process's part, on a
// thread of its own): deliveries posted in order, a callback per stored one, and a wait for
// all of them.
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { InboxWrite } from "./inbox-writer-thread.ts";

export interface DoorThread {
  /** Posts a delivery to be stored after the ones posted before it. */
  store(write: InboxWrite): void;
  /** Resolves once every delivery posted so far is stored. */
  allStored(): Promise<void>;
  /** Disconnects the thread's client and waits for the thread to end. */
  close(): Promise<void>;
}

export function startDoorThread(databaseUrl: string, onStored: () => void): DoorThread {
  const door = new Worker(new URL("./inbox-writer-thread.ts", import.meta.url), { workerData: { url: databaseUrl } });
  let sent = 0;
  let stored = 0;
  door.on("message", (m: string | { failed: string; error: string }) => {
    if (m === "closed") return;
    if (typeof m !== "string") throw new Error(`storing ${m.failed} failed: ${m.error}`);
    stored++;
    onStored();
  });
  return {
    store(write) {
      sent++;
      door.postMessage(write);
    },
    async allStored() {
      while (stored < sent) await sleep(10);
    },
    async close() {
      door.postMessage("close");
      await once(door, "exit");
    },
  };
}
