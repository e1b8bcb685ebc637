import type { AgentTelemetry } from "@loadline/core";
import { type NginxStatus, parseNginxStatus } from "../parse/nginx.ts";
import { fetchText } from "./fetch-text.ts";
import { perSecond } from "./read.ts";

export type NginxTelemetry = NonNullable<AgentTelemetry["nginx"]>;

/** nginx's stub_status: connections now, accepts and requests a second since the last reading. */
export class NginxSource {
  private prev?: { at: number; status: NginxStatus };

  constructor(private readonly config: { url: string; timeoutMs: number }) {}

  /** Undefined for the first reading (the baseline: no rate yet). */
  async collect(): Promise<NginxTelemetry | undefined> {
    const status = parseNginxStatus(await fetchText(this.config.url, this.config.timeoutMs));
    const at = performance.now();
    const prev = this.prev;
    this.prev = { at, status };
    if (!prev) return undefined;
    const s = (at - prev.at) / 1000;
    return {
      active: status.active,
      reading: status.reading,
      writing: status.writing,
      waiting: status.waiting,
      acceptsPerSec: perSecond(prev.status.accepts, status.accepts, s),
      requestsPerSec: perSecond(prev.status.requests, status.requests, s),
    };
  }
}
