import http from "node:http";
import { type IncomingResponse, type OutgoingRequest, type Transport, TransportFailure } from "./transport.ts";

const CONNECT_ERRORS = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** Test-only: a plain node:http transport (http: origins only), classifying failures as the real one must. */
export class NodeHttpTransport implements Transport {
  private readonly agent = new http.Agent({ keepAlive: true });

  send(req: OutgoingRequest, signal: AbortSignal): Promise<IncomingResponse> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: unknown, res?: IncomingResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (res) resolve(res);
        else reject(classify(error));
      };
      const url = new URL(req.origin);
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers["content-length"] = Buffer.byteLength(req.body);
      const request = http.request({
        host: url.hostname,
        port: url.port,
        path: req.path,
        method: req.method,
        headers,
        agent: this.agent,
        signal,
      });
      const timer = setTimeout(() => {
        settle(new TransportFailure("timeout", `no response within ${req.timeoutMs} ms`));
        request.destroy();
      }, req.timeoutMs);
      request.on("error", (e) => settle(e));
      request.on("response", (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on("data", (c: Buffer) => {
          chunks.push(c);
          bytes += c.length;
        });
        res.on("error", (e) => settle(e));
        res.on("end", () =>
          settle(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), bytes }),
        );
      });
      request.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function classify(error: unknown): unknown {
  if (error instanceof TransportFailure) return error;
  if (error instanceof Error && error.name === "AbortError") return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return new TransportFailure(code && CONNECT_ERRORS.has(code) ? "connect" : "reset", (error as Error | null)?.message);
}
