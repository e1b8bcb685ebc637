// The h2 section's table. Pure: tested directly.
import { fmt, markdownTable } from "../lib/table.ts";
import { ms } from "../report.ts";
import { type Outcome, reason } from "../report-outcome.ts";

export type H2Data = {
  durationSec: number;
  /** Requests in flight at once: Loadline's VUs, h2load's clients × streams. */
  inFlight: number;
  rows: { tool: string; setup: string; protocol?: string; outcome: Outcome }[];
};

export function h2Table(d: H2Data): string {
  const h2load = d.rows.find((r) => r.tool === "h2load")?.outcome;
  const base = h2load?.ok ? h2load.result.rps : undefined;
  const rows = d.rows.map(({ tool, setup, protocol, outcome: o }) =>
    o.ok
      ? [
          tool,
          setup,
          protocol ?? "?",
          fmt(o.result.rps, 0),
          ms(o.result.p50Ms),
          ms(o.result.p99Ms),
          base ? `${fmt(o.result.rps / base, 2)}×` : "—",
          fmt(o.result.requests, 0),
          fmt(o.result.failures, 0),
          o.note ?? "",
        ]
      : [tool, setup, "—", "—", "—", "—", "—", "—", "—", reason(o)],
  );
  return [
    `### HTTP/2 — nginx (1 worker, core 0, TLS, h2), each generator on core 1, ${d.inFlight} requests in flight over 1 connection, ${d.durationSec} s`,
    "",
    markdownTable(["generator", "setup", "protocol", "requests/s", "p50 ms", "p99 ms", "vs h2load", "requests", "errors", "notes"], rows, [
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]),
    "",
    "No goal: h2load is nghttp2 in C; Loadline's HTTP/2 is undici over Node's http2 module, whose per-stream cost bounds it.",
  ].join("\n");
}
