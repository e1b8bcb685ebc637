// The chaos suite's target: it answers every request after `ms` (a query parameter) and counts
// what it receives per worker, by the `w` query parameter the scenario's request carries
// (`{{__worker}}`). Counted on arrival: a request the worker died waiting on was still received.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type CountingTarget = {
  url: string;
  /** Requests received so far, per worker id (`w`; "" when a request carried none). */
  received(): Record<string, number>;
  close(): Promise<void>;
};

export function countingTarget(): Promise<CountingTarget> {
  const counts: Record<string, number> = {};
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://target");
    const worker = url.searchParams.get("w") ?? "";
    counts[worker] = (counts[worker] ?? 0) + 1;
    req.resume();
    setTimeout(() => res.end("ok"), Number(url.searchParams.get("ms") ?? 0));
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        received: () => ({ ...counts }),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
