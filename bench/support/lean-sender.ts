// The cheap load generator of bench/webhook-load.ts (SENDER=lean): a process of its own, so its
// CPU is counted apart from the bench's, sending deliveries that were signed before the clock
// started, over node:http with a keep-alive agent of one socket per sender. What it costs per
// delivery is what any HTTP client must pay (a request written, a response parsed); the fetch
// senders also paid for signing, undici's Request/Response and AbortSignal timers.
//
// Forked with an IPC channel: it is sent { url, senders, requests } (each request's headers and
// body), answers "ready", is sent "go", and answers with the latencies, statuses and its own CPU
// time spent between "go" and the last answer.
import http from "node:http";

interface Job {
  url: string;
  senders: number;
  requests: { headers: Record<string, string>; body: string }[];
}

export interface LeanResult {
  latencies: number[];
  statuses: Record<string, number>;
  cpuMs: number;
}

let job: Job | undefined;
let prepared: { headers: Record<string, string>; body: Buffer }[] = [];

process.on("message", (m: { job?: Job; go?: true }) => {
  if (m.job) {
    job = m.job;
    // Bytes and Content-Length ready before the clock starts.
    prepared = job.requests.map((r) => {
      const body = Buffer.from(r.body);
      return { headers: { ...r.headers, "Content-Length": String(body.length) }, body };
    });
    process.send!("ready");
  } else if (m.go && job) {
    void run(job).then((result) => process.send!(result, () => process.exit(0)));
  }
});

async function run(j: Job): Promise<LeanResult> {
  const target = new URL(j.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: j.senders });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const cpu0 = process.cpuUsage();
  const one = (i: number) =>
    new Promise<string>((resolve) => {
      const r = prepared[i]!;
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: r.headers, agent },
        (res) => {
          res.resume();
          res.on("end", () => resolve(String(res.statusCode)));
          res.on("error", (e) => resolve(e.name));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
      req.on("error", (e) => resolve(e.message === "timeout" ? "TimeoutError" : e.name));
      req.end(r.body);
    });
  await Promise.all(
    Array.from({ length: j.senders }, async () => {
      while (next < prepared.length) {
        const i = next++;
        const s = performance.now();
        const status = await one(i);
        latencies.push(performance.now() - s);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  return { latencies, statuses, cpuMs: (cpu.user + cpu.system) / 1000 };
}
