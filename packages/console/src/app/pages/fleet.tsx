import { actionDetail, actionSignature, labelList, lastSeen, sortAgents } from "../agents.ts";
import { ago, count, rate, shortId } from "../format.ts";
import { href } from "../router.ts";
import type { AgentView, Whoami, WorkerView } from "../types.ts";
import { Badge, Empty, ErrorBox, Section } from "../ui.tsx";
import { useData } from "../use-data.ts";

const STATE_TONE: Record<WorkerView["state"], string> = { idle: "muted", busy: "info", draining: "warn", lost: "bad" };
const AGENT_TONE: Record<AgentView["state"], string> = { active: "ok", lost: "bad" };

/**
 * The fleet: the workers (state, capacity, labels and the lanes of this tenant's runs each holds
 * now: the platform admin's view), and the tenant's control agents beside the system under test.
 */
export function FleetPage({ who }: { who: Whoami }) {
  const fleet = useData<{ workers: WorkerView[] }>(who.platformAdmin ? "/v1/workers" : null, 2000);
  const agents = useData<{ items: AgentView[] }>("/v1/agents", 2000);
  const workers = fleet.data?.workers ?? [];
  const totals = workers.reduce(
    (t, w) => ({ vus: t.vus + (w.state === "lost" ? 0 : w.capacity.maxVUs), used: t.used + w.assignments.reduce((s, a) => s + a.vus, 0) }),
    { vus: 0, used: 0 },
  );
  const agentList = sortAgents(agents.data?.items ?? []);
  const activeAgents = agentList.filter((a) => a.state === "active").length;
  return (
    <div class="page">
      <div class="page-head">
        <h1>Fleet</h1>
        <div class="tools muted small">
          {who.platformAdmin && (
            <>
              {workers.length} {workers.length === 1 ? "worker" : "workers"} · {count(totals.used)} of {count(totals.vus)} VUs in use ·{" "}
            </>
          )}
          {activeAgents} of {agentList.length} agents active
        </div>
      </div>
      {who.platformAdmin ? (
        <Workers workers={workers} loading={fleet.loading} error={fleet.error} />
      ) : (
        <Empty>The workers are the platform admin's to see.</Empty>
      )}
      <Agents agents={agentList} loading={agents.loading} error={agents.error} />
    </div>
  );
}

function Workers({ workers, loading, error }: { workers: WorkerView[]; loading: boolean; error: Error | null }) {
  return (
    <Section title={`Workers (${workers.length})`}>
      <ErrorBox error={error} />
      {workers.length === 0 && !loading ? (
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
    </Section>
  );
}

/** The tenant's control agents: who they are, where, whether they are heard from, and the actions they allow (never their commands). */
function Agents({ agents, loading, error }: { agents: AgentView[]; loading: boolean; error: Error | null }) {
  return (
    <Section title={`Agents (${agents.length})`} right={<span class="muted small">lost when not heard from for 5 s</span>}>
      <ErrorBox error={error} />
      {agents.length === 0 && !loading ? (
        <Empty>No control agent has registered.</Empty>
      ) : (
        <div class="table-scroll">
          <table class="table" data-agents>
            <thead>
              <tr>
                <th>Agent</th>
                <th>State</th>
                <th>Host</th>
                <th>Labels</th>
                <th>Actions allowed</th>
                <th>Last seen</th>
                <th>Registered</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.agentId} data-agent={a.agentId}>
                  <td class="mono">{a.agentId}</td>
                  <td>
                    <span class={`badge ${AGENT_TONE[a.state]}`} data-agent-state={a.state}>
                      {a.state}
                    </span>
                  </td>
                  <td class="small">
                    <span class="mono">{a.host ?? "–"}</span>
                    {a.version && <div class="muted">v{a.version}</div>}
                  </td>
                  <td>
                    {labelList(a.labels).map((l) => (
                      <span key={l} class="chip small static">
                        {l}
                      </span>
                    ))}
                  </td>
                  <td>
                    {a.actions.length === 0 ? (
                      <span class="muted small">none</span>
                    ) : (
                      a.actions.map((x) => (
                        <span key={x.name} class="chip small static action-chip mono" title={actionDetail(x)} data-agent-action={x.name}>
                          {actionSignature(x)}
                        </span>
                      ))
                    )}
                  </td>
                  <td class={`small${a.state === "lost" ? " bad-text" : " muted"}`}>{lastSeen(a)}</td>
                  <td class="small muted">{ago(a.registeredAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
