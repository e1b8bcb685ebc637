import { type TargetPolicy, targetUrlRefusal } from "@loadline/core";
import { Agent, request } from "undici";
import { guardedLookup } from "./guarded-lookup.ts";

/** What one attempt came to: the answer's status, or why there was none. */
export type AttemptResult = { statusCode: number | null; error: string | null; durationMs: number };

export type Attempt = { url: string; headers: Record<string, string>; body: string; policy: TargetPolicy; timeoutMs: number };

/** Errors as the log shows them: short, and never the body (it is the receiver's). */
const reason = (err: unknown): string => {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return "timed out";
  const msg = e?.cause?.message ?? e?.message ?? String(err);
  return msg.slice(0, 500);
};

/**
 * One POST of a delivery. The URL is checked against the tenant's policy as it is now (a list
 * narrowed since the subscription was written holds), and the address connected to is checked
 * again after resolution. No redirect is followed: a 3xx is the answer (and not a success).
 * The answer's body is read and dropped, within the same time limit.
 */
export async function send(a: Attempt): Promise<AttemptResult> {
  const started = performance.now();
  const took = () => Math.round((performance.now() - started) * 10) / 10;
  const refusal = targetUrlRefusal(a.url, a.policy);
  if (refusal) return { statusCode: null, error: `blocked: ${refusal}`, durationMs: 0 };
  const agent = new Agent({
    connect: { lookup: guardedLookup(a.policy), timeout: a.timeoutMs },
    headersTimeout: a.timeoutMs,
    bodyTimeout: a.timeoutMs,
  });
  try {
    const res = await request(a.url, {
      method: "POST",
      headers: a.headers,
      body: a.body,
      dispatcher: agent,
      signal: AbortSignal.timeout(a.timeoutMs),
    });
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    return { statusCode: res.statusCode, error: null, durationMs: took() };
  } catch (err) {
    return { statusCode: null, error: reason(err), durationMs: took() };
  } finally {
    void agent.destroy().catch(() => undefined);
  }
}
