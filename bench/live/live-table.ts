// The live section's table: per row, what the clients got and how far behind the projection.
import { fmt, markdownTable } from "../lib/table.ts";
import type { LiveData, LiveRow } from "./live-data.ts";

const verdict = (r: LiveRow) => (r.met === undefined ? "—" : r.met ? "yes" : "**no**");
const ms = (v: number) => fmt(v, 0);

export function liveTable(d: LiveData): string {
  const out = [
    "### Live push: SSE clients of one run (`GET /v1/runs/{id}/live`)",
    "",
    `${d.machine}. ${d.spec ? `${d.spec[0]!.toUpperCase()}${d.spec.slice(1)}; ` : ""}${d.pinned || "not pinned"}. ` +
      "Clients: undici, a connection each, the admin key as Bearer (rate limit raised). Lag of a `second` message = when a client " +
      `took it off the stream − when the metrics checkpoint first covered the sequence of its id (read every ${d.options.pollMs} ms by a thread ` +
      "of the harness); messages whose sequence was committed before the client's stream opened are history caught up, not timed.",
    "",
  ];
  if (d.failure) out.push(`not available: ${d.failure}`, "");
  if (d.rows.length > 0) {
    out.push(
      markdownTable(
        [
          "reading clients",
          "stalled",
          "run",
          "opened / first message (ms to all)",
          "`second` msgs",
          "KiB / client",
          "seconds",
          "missing any / no end",
          "timed / history",
          "lag ms p50 / p99 / max",
          "once all served: p50 / p99 / max",
          "API CPU %",
          "harness CPU % / loop delay p99 ms",
          "API RSS MB before → peak → after",
          "backlog max / end",
          "goal",
          "met?",
        ],
        d.rows.map((r) => [
          fmt(r.clients, 0),
          r.stalled ? `${fmt(r.stalled, 0)} (${r.stalledEndedByServer} ended by the server)` : "—",
          r.runSpec,
          `${fmt(r.opened, 0)} (${ms(r.openMs)} / ${ms(r.readyMs)})`,
          fmt(r.messages, 0),
          fmt(r.kibPerClient, 0),
          String(r.seconds),
          `${r.missed} / ${r.noEnd}`,
          `${fmt(r.timed, 0)} / ${fmt(r.catchUp, 0)}`,
          `${ms(r.lagP50)} / ${ms(r.lagP99)} / ${ms(r.lagMax)}`,
          `${ms(r.steadyP50)} / ${ms(r.steadyP99)} / ${ms(r.steadyMax)}`,
          fmt(r.apiCpuPct, 0),
          `${fmt(r.harnessCpuPct, 0)} / ${ms(r.harnessLoopDelayP99)}`,
          `${ms(r.apiRssBeforeMb)} → ${ms(r.apiRssPeakMb)} → ${ms(r.apiRssAfterMb)}`,
          `${r.backlogMax} / ${r.backlogEnd}`,
          r.goal,
          verdict(r),
        ]),
        [true, false, false, true, true, true, true, true, true, true, true, true, true, false, true, false, false],
      ),
      "",
    );
    const stalledRow = d.rows.find((r) => r.stalled > 0);
    if (stalledRow) {
      const control = d.rows.find((r) => r.stalled === 0 && r.runSpec === stalledRow.runSpec && r.clients === stalledRow.clients);
      out.push(
        `Stalled row: ${fmt(stalledRow.stalledOpened, 0)} of ${fmt(stalledRow.stalled, 0)} stalled streams opened; each was sent what a reader took ` +
          `(about ${fmt(stalledRow.kibPerClient, 0)} KiB, ${fmt((stalledRow.stalled * stalledRow.kibPerClient) / 1024, 0)} MiB in all) and read none of it; ` +
          `the API's RSS peaked at ${ms(stalledRow.apiRssPeakMb)} MB` +
          (control ? `, against ${ms(control.apiRssPeakMb)} MB for the same run without them` : "") +
          ". What a stalled client is sent waits in the sockets' buffers (the kernel's), then the server's write waits; a write that waits 10 s drops the client.",
        "",
      );
    }
    const errs = d.rows.filter((r) => r.errors.length > 0 || r.repeats > 0);
    for (const r of errs)
      out.push(`- ${r.clients} clients: ${r.repeats} repeated ids${r.errors.length ? `; errors: ${r.errors.join("; ")}` : ""}`);
    if (errs.length > 0) out.push("");
  }
  out.push(
    "API CPU and RSS are the stack's process (it also generates the load, projects and orchestrates), CPU from the first " +
      "client's request to the last `end`, in % of one core; RSS sampled every 200 ms, after = 2 s after every client closed. " +
      "Backlog = the metrics stream's last sequence − the metrics checkpoint, sampled every 200 ms while the row ran, and when its last reading client got `end`. " +
      `Checkpoint reads: ${fmt(d.checkpointPolls, 0)}, the slowest ${fmt(d.checkpointSlowestMs, 1)} ms. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.`,
  );
  return out.join("\n");
}
