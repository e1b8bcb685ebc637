import { requestLabel, type RequestSpec } from "@loadline/core";
import { Pool, type Dispatcher } from "undici";

/** A request ready to send again and again: label, full path and body bytes computed once. */
export type PreparedRequest = {
  name: string;
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string> | undefined;
  body: Buffer | undefined;
  bytesOut: number;
};

export type Outcome = {
  /** False on a network error, a timeout, an abort or an HTTP status >= 400. */
  ok: boolean;
  /** False when no HTTP response came back at all. */
  responded: boolean;
  status?: number;
  latencyUs: number;
  bytesIn: number;
  bytesOut: number;
};

const TIMEOUT_MS = 30_000;

/** Splits targetUrl into the origin the pool connects to and a base path the request paths go under. */
export function prepareRequests(targetUrl: string, requests: readonly RequestSpec[]): { origin: string; requests: PreparedRequest[] } {
  const url = new URL(targetUrl);
  const basePath = url.pathname.replace(/\/+$/, "");
  return {
    origin: url.origin,
    requests: requests.map((r) => {
      const body = r.body === undefined ? undefined : Buffer.from(r.body);
      return {
        name: requestLabel(r),
        method: r.method,
        path: `${basePath}${r.path}`,
        headers: r.headers,
        body,
        bytesOut: body?.length ?? 0,
      };
    }),
  };
}

const microsSince = (start: number): number => Math.max(1, Math.round((performance.now() - start) * 1000));

/** The system under test, over one keep-alive connection pool of a run. */
export class HttpTarget {
  private readonly pool: Pool;

  constructor(origin: string, connections: number) {
    this.pool = new Pool(origin, {
      connections: Math.max(1, connections),
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
      connectTimeout: 10_000,
    });
  }

  /** Sends one request and reads its whole body. Never throws: a failure is an outcome. */
  async send(req: PreparedRequest, signal: AbortSignal): Promise<Outcome> {
    const start = performance.now();
    let bytesIn = 0;
    let status: number | undefined;
    try {
      const res = await this.pool.request({ path: req.path, method: req.method, headers: req.headers, body: req.body, signal });
      status = res.statusCode;
      for await (const chunk of res.body) bytesIn += (chunk as Buffer).length;
      return { ok: status < 400, responded: true, status, latencyUs: microsSince(start), bytesIn, bytesOut: req.bytesOut };
    } catch {
      const failed: Outcome = { ok: false, responded: status !== undefined, latencyUs: microsSince(start), bytesIn, bytesOut: req.bytesOut };
      if (status !== undefined) failed.status = status;
      return failed;
    }
  }

  async close(): Promise<void> {
    // Every user has finished by now: nothing is left in flight to wait for.
    await this.pool.destroy();
  }
}
