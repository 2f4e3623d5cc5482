// A TCP proxy in front of the shared PostgreSQL server that a test can cut and restore,
// so a worker process sees a database outage while the server itself keeps running for
// every other test. Cut: open connections are destroyed and new ones are dropped at once
// (the client sees ECONNRESET, as when a database restarts); restore: connections pass again.
import net from "node:net";

export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private cutOff = false;
  /** Connections dropped while cut (so a test can wait until the worker has tried). */
  refused = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    server.on("connection", (client) => proxy.accept(client, target));
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = "127.0.0.1";
    u.port = String(this.port);
    return u.toString();
  }

  private accept(client: net.Socket, target: { host: string; port: number }) {
    if (this.cutOff) {
      this.refused++;
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("error", () => {}); // a cut connection errors on both sides; the client sees it, not us
      s.on("close", () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  cut() {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }

  restore() {
    this.cutOff = false;
  }

  async close() {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
