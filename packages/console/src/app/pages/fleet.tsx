import { ago, count, rate, shortId } from "../format.ts";
import { href } from "../router.ts";
import type { Whoami, WorkerView } from "../types.ts";
import { Badge, Empty, ErrorBox } from "../ui.tsx";
import { useData } from "../use-data.ts";

const STATE_TONE: Record<WorkerView["state"], string> = { idle: "muted", busy: "info", draining: "warn", lost: "bad" };

/** The workers: state, capacity, labels and the lanes of this tenant's runs each holds now (the platform admin's view). */
export function FleetPage({ who }: { who: Whoami }) {
  const fleet = useData<{ workers: WorkerView[] }>(who.platformAdmin ? "/v1/workers" : null, 2000);
  if (!who.platformAdmin) return <Empty>The fleet is the platform admin's to see.</Empty>;
  const workers = fleet.data?.workers ?? [];
  const totals = workers.reduce(
    (t, w) => ({ vus: t.vus + (w.state === "lost" ? 0 : w.capacity.maxVUs), used: t.used + w.assignments.reduce((s, a) => s + a.vus, 0) }),
    { vus: 0, used: 0 },
  );
  return (
    <div class="page">
      <div class="page-head">
        <h1>Fleet</h1>
        <div class="tools muted small">
          {workers.length} workers · {count(totals.used)} of {count(totals.vus)} VUs in use
        </div>
      </div>
      <ErrorBox error={fleet.error} />
      <div class="card">
        {workers.length === 0 && !fleet.loading ? (
          <Empty>No worker is registered.</Empty>
        ) : (
          <table class="table" data-fleet>
            <thead>
              <tr>
                <th>Worker</th>
                <th>State</th>
                <th>Version</th>
                <th class="num">Threads</th>
                <th class="num">Max VUs</th>
                <th class="num">Max arrivals/s</th>
                <th>Labels</th>
                <th>Current lanes</th>
                <th>Heartbeat</th>
                <th>Up since</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((w) => (
                <tr key={w.workerId}>
                  <td class="mono">{w.workerId}</td>
                  <td>
                    <Badge tone={STATE_TONE[w.state]}>{w.state}</Badge>
                  </td>
                  <td class="mono small">{w.version}</td>
                  <td class="num">{w.capacity.threads}</td>
                  <td class="num">{count(w.capacity.maxVUs)}</td>
                  <td class="num">{rate(w.capacity.maxArrivalRate)}</td>
                  <td>
                    {Object.entries(w.labels).map(([k, v]) => (
                      <span key={k} class="chip small static">
                        {k}={v}
                      </span>
                    ))}
                  </td>
                  <td class="small">
                    {w.assignments.length === 0 ? (
                      <span class="muted">–</span>
                    ) : (
                      w.assignments.map((a) => (
                        <div key={a.runId}>
                          <a href={href("runs", a.runId)} class="mono">
                            {shortId(a.runId)}
                          </a>{" "}
                          lanes {a.lanes.join(",")}/{a.laneCount} · {a.vus} VUs
                        </div>
                      ))
                    )}
                  </td>
                  <td class={`small${w.silentMs > 2000 ? " bad-text" : " muted"}`}>{(w.silentMs / 1000).toFixed(1)}s ago</td>
                  <td class="small muted">{ago(w.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
