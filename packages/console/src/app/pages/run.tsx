import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import { type ChartMarks, chartMarks, withActionMarks } from "../annotations.ts";
import { type ApiError, download, qs, request } from "../api.ts";
import { TimeChart } from "../chart.tsx";
import { ago, ahead, bytes, clockTime, count, dateTime, duration, ms, percent, rate, runLength, shortId, timeOrDate } from "../format.ts";
import { type LivePhase, useLiveRun } from "../live-run.ts";
import { href, navigate } from "../router.ts";
import { CONTROL_TONE, controlFactors, controlText, currentSize, scaleModelsOf } from "../run-control.ts";
import type { RunSeries } from "../run-series.ts";
import { type SutChart, sutCharts } from "../sut-series.ts";
import {
  type AgentActionView,
  type AggregateView,
  isTerminal,
  type LoadTestView,
  type Page,
  type RunView,
  type SutView,
} from "../types.ts";
import { Badge, Counter, CountTable, Empty, ErrorBox, Section, StatusBadge, VerdictBadge } from "../ui.tsx";
import { useData } from "../use-data.ts";

const PHASE_TEXT: Record<LivePhase, string> = {
  connecting: "connecting…",
  live: "● live",
  reconnecting: "reconnecting…",
  ended: "final",
  error: "stream failed",
};

/**
 * A run: live from its stream while it runs, and the same page from the read model once it
 * ended (the stream's catch-up holds every second). Whole-run percentiles and the per-endpoint
 * table come from the aggregate, read again every few seconds while it runs.
 */
export function RunPage({ id }: { id: string }) {
  const live = useLiveRun(id);
  const run = live.run;
  const ended = live.phase === "ended" || (run !== null && isTerminal(run.status) && live.phase !== "live");
  const aggregate = useData<AggregateView>(`/v1/runs/${encodeURIComponent(id)}/metrics/aggregate`, ended ? null : 5000);
  const test = useData<LoadTestView>(run ? `/v1/load-tests/${encodeURIComponent(run.loadTestId)}` : null);
  // The system under test beside the load: its agents' seconds, and the actions the run's timeline fired.
  const sut = useData<SutView>(`/v1/runs/${encodeURIComponent(id)}/sut`, ended ? null : 5000);
  const actions = useData<{ items: AgentActionView[] }>(`/v1/runs/${encodeURIComponent(id)}/actions`, ended ? null : 5000);
  const [tick, setTick] = useState(0);

  // The final figures once the stream said the run is over.
  useEffect(() => {
    if (live.phase !== "ended") return;
    aggregate.reload();
    sut.reload();
    actions.reload();
  }, [live.phase]);
  // The elapsed time moves on between seconds.
  useEffect(() => {
    if (ended) return;
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [ended]);
  void tick;

  // The run's live control, drawn on every chart.
  const controls = run?.controls;
  const fired = actions.data?.items;
  const marks = useMemo(() => withActionMarks(chartMarks(controls ?? []), fired ?? []), [controls, fired]);

  if (live.error && !run) return <ErrorBox error={live.error} />;
  if (!run) return <div class="empty">Loading run…</div>;
  const s = live.series;
  const latest = s.latest;
  const agg = aggregate.data;
  const running = !isTerminal(run.status);
  const elapsed = runLength(run.startedAt, run.finishedAt);
  const stoppable = running && run.status !== "Analyzing";

  return (
    <div class="page run-page" data-run={run.id}>
      <div class="page-head">
        <h1>
          <a href={href("runs")} class="crumb">
            Runs
          </a>{" "}
          / {test.data ? <a href={href("tests", run.loadTestId)}>{test.data.name}</a> : "…"}{" "}
          <span class="mono muted small">{shortId(run.id)}</span>
        </h1>
        <div class="tools">
          <StatusBadge status={run.status} />
          {run.pausedAt && (
            <span class="badge warn" data-paused title={`paused since ${dateTime(run.pausedAt)}`}>
              ‖ paused
            </span>
          )}
          <VerdictBadge verdict={run.verdict} />
          {run.degraded && <Badge tone="warn">degraded · {percent(run.coverage)} covered</Badge>}
          <span class={`live ${live.phase}`} data-phase={live.phase}>
            {PHASE_TEXT[live.phase]}
          </span>
          {run.status === "Running" && <LiveControl run={run} test={test.data} onRun={live.offer} />}
          {stoppable && <StopButton run={run} onRun={live.offer} />}
        </div>
      </div>
      <ErrorBox error={live.phase === "error" ? live.error : null} />
      <GeneratorWarning generator={agg?.generator} />
      <Lifecycle run={run} />

      <div class="counters">
        <Counter
          id="requests"
          label="Requests"
          value={count(s.totals.requests)}
          sub={agg ? `${bytes(agg.bytesIn)} in · ${bytes(agg.bytesOut)} out` : " "}
        />
        <Counter
          id="rps"
          label={running ? "Requests / s" : "Mean rps"}
          value={rate(running ? latest?.all.rps : (agg?.rps ?? latest?.all.rps))}
          sub={running ? `mean ${rate(agg?.rps)}` : `${count(agg?.iterations)} iterations`}
        />
        <Counter
          id="errors"
          label="Errors"
          value={count(s.totals.failures)}
          sub={percent(s.totals.requests > 0 ? s.totals.failures / s.totals.requests : 0)}
          tone={s.totals.failures > 0 ? "bad" : ""}
        />
        <Counter
          id="p95"
          label="p95 latency"
          value={ms(agg && agg.requests > 0 ? agg.latency.p95 : null)}
          sub={running ? `now ${ms(latest?.all.p95)}` : `p99 ${ms(agg?.latency.p99)}`}
        />
        <Counter
          id="users"
          label={running ? "Users" : "Peak users"}
          value={count(running ? latest?.all.users : s.peakUsers())}
          sub={`of ${run.targetUsers}`}
        />
        <Counter id="dropped" label="Dropped" value={count(s.totals.dropped)} sub="iterations" tone={s.totals.dropped > 0 ? "warn" : ""} />
        <Counter id="elapsed" label="Elapsed" value={duration(elapsed)} sub={`of ${duration(run.durationSec)}`} />
      </div>

      <Charts series={s} version={live.version} marks={marks} />
      <SutCharts view={sut.data} marks={marks} />

      <div class="grid-2">
        <Thresholds run={run} />
        <RunDetails run={run} />
      </div>

      <Endpoints aggregate={agg} running={running} />

      <div class="grid-3">
        <Section title="Checks">
          <Checks passed={s.totals.checksPassed} failed={s.totals.checksFailed} />
        </Section>
        <Section title="Status codes">
          <CountTable counts={s.totals.statusCodes} keyLabel="code" />
        </Section>
        <Section title="Failures by kind">
          <CountTable counts={s.totals.failuresByKind} keyLabel="kind" />
        </Section>
      </div>

      <Workers run={run} />
      <Actions actions={fired ?? []} />
      {isTerminal(run.status) && <Reports run={run} test={test.data} />}
    </div>
  );
}

function Charts({ series, version, marks }: { series: RunSeries; version: number; marks: ChartMarks }) {
  const c = series.cols;
  const data =
    (...cols: number[][]) =>
    () =>
      [c.t, ...cols] as uPlot.AlignedData;
  return (
    <div class="charts">
      <TimeChart
        id="rps"
        title="Throughput"
        version={version}
        marks={marks}
        data={data(c.rps)}
        axes={{ y: (v) => count(v), counts: { y: true } }}
        series={[{ label: "requests/s", color: "#2563eb", fill: true, format: rate }]}
      />
      <TimeChart
        id="latency"
        title="Latency"
        version={version}
        marks={marks}
        data={data(c.p50, c.p90, c.p95, c.p99, c.p999)}
        axes={{ y: axisMs }}
        series={[
          { label: "p50", color: "#16a34a", format: ms },
          { label: "p90", color: "#0891b2", format: ms, hidden: true },
          { label: "p95", color: "#d97706", format: ms },
          { label: "p99", color: "#dc2626", format: ms },
          { label: "p99.9", color: "#7c3aed", format: ms, hidden: true },
        ]}
      />
      <TimeChart
        id="errors"
        title="Errors"
        version={version}
        marks={marks}
        data={data(c.failures, c.errorRate)}
        axes={{ y: (v) => count(v), y2: (v) => `${+v.toFixed(v < 10 ? 1 : 0)}%`, counts: { y: true } }}
        series={[
          { label: "failures/s", color: "#dc2626", fill: true, format: (v) => count(v) },
          { label: "error rate", color: "#f59e0b", scale: "y2", format: (v) => `${v.toFixed(2)}%` },
        ]}
      />
      <TimeChart
        id="users"
        title="Users & dropped iterations"
        version={version}
        marks={marks}
        data={data(c.users, c.dropped)}
        axes={{ y: (v) => count(v), y2: (v) => count(v), counts: { y: true, y2: true } }}
        series={[
          { label: "users", color: "#0f766e", fill: true, format: (v) => count(v) },
          { label: "dropped/s", color: "#9333ea", scale: "y2", format: (v) => count(v) },
        ]}
      />
    </div>
  );
}

const SUT_FORMAT: Readonly<Record<SutChart["unit"], (v: number) => string>> = {
  percent: (v) => `${+v.toFixed(v < 10 ? 1 : 0)}%`,
  bytes: (v) => bytes(v),
  perSec: (v) => `${bytes(v)}/s`,
  count: (v) => `${+v.toFixed(2)}`,
};
const SUT_COLORS = ["#0f766e", "#2563eb", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#65a30d", "#db2777"];

/** The system under test, under the latency charts and on the same clock and marks: CPU, memory, network, load. */
function SutCharts({ view, marks }: { view: SutView | null; marks: ChartMarks }) {
  // Drawn again at every answer: a second's figures may change without the count of seconds changing (two intervals merged).
  const answers = useRef(0);
  const { charts, version } = useMemo(() => ({ charts: view ? sutCharts(view) : [], version: ++answers.current }), [view]);
  if (charts.length === 0) return null;
  return (
    <div class="charts" data-sut>
      {charts.map((c) => (
        <TimeChart
          // A chart's series are set when it is made: one more (an agent whose seconds came later) makes it anew.
          key={`${c.id} ${c.labels.join("|")}`}
          id={c.id}
          title={c.title}
          version={version}
          marks={marks}
          data={() => c.data}
          axes={{ y: SUT_FORMAT[c.unit] }}
          series={c.labels.map((label, i) => ({ label, color: SUT_COLORS[i % SUT_COLORS.length]!, format: SUT_FORMAT[c.unit] }))}
        />
      ))}
    </div>
  );
}

/** The agent actions the run's timeline fired, with their outcomes. */
function Actions({ actions }: { actions: AgentActionView[] }) {
  if (actions.length === 0) return null;
  const tone = (a: AgentActionView) => (a.status === "completed" ? "ok" : a.status === "failed" ? "bad" : "muted");
  return (
    <Section title={`Agent actions (${actions.length})`}>
      <table class="table compact" data-actions>
        <thead>
          <tr>
            <th>Action</th>
            <th>Agent</th>
            <th>Outcome</th>
            <th>Started</th>
            <th>Ended</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {actions.map((a) => (
            <tr key={a.actionId}>
              <td class="mono">{a.action}</td>
              <td class="mono">{a.agentId}</td>
              <td>
                <Badge tone={tone(a)}>{a.status}</Badge>
              </td>
              <td>{clockTime(a.startedAt ?? a.requestedAt)}</td>
              <td>{a.endedAt ? clockTime(a.endedAt) : "–"}</td>
              <td class="small">{a.reason ?? (a.exitCode !== null && a.exitCode !== undefined ? `exit ${a.exitCode}` : "")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** A latency tick: short ("250 ms", "1.5 s"). */
const axisMs = (v: number): string => (v >= 1000 ? `${+(v / 1000).toFixed(2)} s` : `${+v.toFixed(v < 10 ? 1 : 0)} ms`);

/**
 * Sends one action on the run (`POST /v1/runs/{id}/<action>`) and hands its answer, the run, to
 * the page at once (the stream brings the same a moment later); a refusal is kept to be shown.
 */
function useRunAction(runId: string, onRun: (run: RunView) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const send = async (action: string, body: object): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      const answer = await request<RunView | null>(`/v1/runs/${encodeURIComponent(runId)}/${action}`, { method: "POST", body });
      if (answer && typeof answer.id === "string" && typeof answer.version === "number") onRun(answer);
      return true;
    } catch (err) {
      setError(err as ApiError);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, send };
}

/** A refusal beside the buttons: the API's message, and the field it names. */
function ActionError({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <span class="bad-text small" role="alert" data-action-error>
      {error.message}
      {error.field && <span class="mono"> ({error.field})</span>}
    </span>
  );
}

/** Stop: a running run ends early (Cancelled); a queued or pending one is cancelled before it starts. */
function StopButton({ run, onRun }: { run: RunView; onRun: (run: RunView) => void }) {
  const { busy, error, send } = useRunAction(run.id, onRun);
  const stopping = run.status === "Stopping";
  const waiting = run.status === "Queued" || run.status === "Pending";
  return (
    <>
      <button type="button" class="danger" disabled={busy || stopping} onClick={() => send("stop", {})} data-stop>
        {stopping ? "Stopping…" : waiting ? "✕ Cancel" : "■ Stop"}
      </button>
      <ActionError error={error} />
    </>
  );
}

/**
 * A running run's live control: Pause (Resume while paused) and Scale to a new size, in VUs or
 * arrivals/s as the test's executors have them (both offered when the test is not known; the
 * API's 400 names the one the run lacks).
 */
function LiveControl({ run, test, onRun }: { run: RunView; test: LoadTestView | null; onRun: (run: RunView) => void }) {
  const { busy, error, send } = useRunAction(run.id, onRun);
  const models = scaleModelsOf(test);
  const [unit, setUnit] = useState<"vus" | "rate">(models.vus ? "vus" : "rate");
  const [value, setValue] = useState("");
  // The test came after the first draw: its model decides the unit.
  useEffect(() => {
    if (!models[unit]) setUnit(models.vus ? "vus" : "rate");
  }, [models.vus, models.rate]);
  const size = currentSize(run);
  const scale = async (e: Event) => {
    e.preventDefault();
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) return;
    if (await send("scale", unit === "vus" ? { vus: n } : { rate: n })) setValue("");
  };
  return (
    <div class="control-bar" data-live-control>
      {run.pausedAt ? (
        <button type="button" class="primary" disabled={busy} onClick={() => send("resume", {})} data-resume>
          ▶ Resume
        </button>
      ) : (
        <button type="button" disabled={busy} onClick={() => send("pause", {})} data-pause>
          ‖ Pause
        </button>
      )}
      <form class="scale-form" onSubmit={scale} data-scale>
        <input
          type="number"
          name="scale"
          min="0"
          step={unit === "vus" ? "1" : "any"}
          required
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
          placeholder={unit === "vus" ? String(size.vus) : size.rate !== null ? rate(size.rate) : "rate"}
          aria-label={unit === "vus" ? "new peak VUs" : "new arrivals per second"}
        />
        {models.vus && models.rate ? (
          <select name="scale-unit" value={unit} onChange={(e) => setUnit(e.currentTarget.value as "vus" | "rate")}>
            <option value="vus">VUs</option>
            <option value="rate">arrivals/s</option>
          </select>
        ) : (
          <span class="muted small" data-scale-unit={unit}>
            {unit === "vus" ? "VUs" : "arrivals/s"}
          </span>
        )}
        <button type="submit" disabled={busy} data-scale-submit>
          ⤢ Scale
        </button>
      </form>
      <ActionError error={error} />
    </div>
  );
}

/** Where the run is in its lifecycle when that is not its load: waiting in the queue, or judged once its load is over. */
function Lifecycle({ run }: { run: RunView }) {
  if (run.status === "Queued" && run.queue) {
    const q = run.queue;
    return (
      <div class="lifecycle queued" data-queue>
        <strong>Queued · #{q.position} in line</strong>
        <span>
          since {timeOrDate(q.queuedAt)} <span class="muted">({ago(q.queuedAt)})</span>
        </span>
        <span>
          waits until {timeOrDate(q.expiresAt)} <span class="muted">({ahead(q.expiresAt)})</span>
        </span>
        {q.reason && (
          <span class="muted" data-queue-reason>
            {q.reason}
          </span>
        )}
      </div>
    );
  }
  if (run.status === "Analyzing")
    return (
      <div class="lifecycle analyzing" data-analyzing>
        <strong>Analyzing</strong>
        <span>load over{run.ranSec !== null ? ` after ${duration(run.ranSec)}` : ""}: its verdict is being judged on the last windows</span>
      </div>
    );
  return null;
}

function Thresholds({ run }: { run: RunView }) {
  return (
    <Section title="Thresholds" right={<VerdictBadge verdict={run.verdict} />}>
      {run.thresholds.length === 0 ? (
        <Empty>{run.verdict === "none" ? "This run has no thresholds." : "None crossed so far."}</Empty>
      ) : (
        <table class="table compact" data-thresholds>
          <thead>
            <tr>
              <th>Metric</th>
              <th>Rule</th>
              <th class="num">Observed</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {run.thresholds.map((t) => (
              <tr key={`${t.metric} ${t.expression}`}>
                <td class="mono">{t.metric}</td>
                <td class="mono">
                  {t.expression}
                  {t.over && <span class="muted"> over {t.over}</span>}
                  {t.abortOnFail && <span class="badge muted">abort</span>}
                </td>
                <td class="num">
                  {t.observed === null
                    ? "–"
                    : t.metric.startsWith("latency") || t.metric.startsWith("service")
                      ? ms(t.observed)
                      : t.observed.toPrecision(4)}
                </td>
                <td>{t.passed ? <Badge tone="ok">pass</Badge> : <Badge tone="bad">fail</Badge>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function RunDetails({ run }: { run: RunView }) {
  const rows: [string, string][] = [];
  if (run.name) rows.push(["Name", run.name]);
  if (run.envId) rows.push(["Environment", run.envId]);
  rows.push(
    ["Users", `${run.targetUsers} (spawn ${run.spawnRate}/s)`],
    ["Duration", duration(run.durationSec)],
    ["Lanes", String(run.laneCount)],
    ["Created", dateTime(run.createdAt)],
    ["Started", dateTime(run.startedAt)],
    ["Finished", dateTime(run.finishedAt)],
  );
  if (run.createdBy) rows.push(["Created by", run.createdBy]);
  if (run.ranSec !== null) rows.push(["Ran", `${duration(run.ranSec)} of ${duration(run.durationSec)}`]);
  if (run.pausedAt) rows.push(["Paused since", dateTime(run.pausedAt)]);
  if (run.stopReason) rows.push(["Stop reason", run.stopReason]);
  if (run.cancelledBy) rows.push(["Cancelled by", run.cancelledBy]);
  if (run.coverage !== null) rows.push(["Coverage", percent(run.coverage)]);
  if (run.reason) rows.push(["Reason", run.reason]);
  return (
    <Section title="Run">
      <dl class="details" data-run-details>
        {rows.map(([k, v]) => (
          <div key={k} data-detail={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <ControlHistory run={run} />
    </Section>
  );
}

/** The run's live control in order: when, what, by whom. */
function ControlHistory({ run }: { run: RunView }) {
  if (run.controls.length === 0) return null;
  return (
    <div class="control-history">
      <h3>Live control ({run.controls.length})</h3>
      <table class="table compact" data-controls>
        <tbody>
          {run.controls.map((c, i) => (
            <tr key={`${i} ${c.at}`} data-control={c.type}>
              <td class="small" title={dateTime(c.at)}>
                {clockTime(c.at)}
              </td>
              <td>
                <Badge tone={CONTROL_TONE[c.type]}>{controlText(c)}</Badge>
                {controlFactors(c) && <span class="muted small">{controlFactors(c)}</span>}
              </td>
              <td class="mono small">{c.by}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Each endpoint's recent rate, from two reads of the aggregate: the requests it gained over the
 * seconds the run's figures grew by (the live stream's seconds carry no per-endpoint figures).
 */
function useRecentRates(aggregate: AggregateView | null): Map<string, number> {
  const last = useRef<{ seen: AggregateView; seconds: number; requests: Map<string, number>; rates: Map<string, number> } | null>(null);
  if (aggregate && aggregate !== last.current?.seen) {
    const requests = new Map(aggregate.endpoints.map((e) => [`${e.method} ${e.name}`, e.requests]));
    const prev = last.current;
    if (!prev) last.current = { seen: aggregate, seconds: aggregate.seconds, requests, rates: new Map() };
    else if (aggregate.seconds <= prev.seconds) last.current = { ...prev, seen: aggregate };
    else {
      const span = aggregate.seconds - prev.seconds;
      const rates = new Map([...requests].map(([k, n]) => [k, Math.max(0, n - (prev.requests.get(k) ?? 0)) / span]));
      last.current = { seen: aggregate, seconds: aggregate.seconds, requests, rates };
    }
  }
  return last.current?.rates ?? new Map();
}

/**
 * The seconds the load generator itself saturated (issue 24): their load or latency is the
 * generator's, not the target's. Which worker, how many seconds from when, its worst figures.
 */
function GeneratorWarning({ generator }: { generator: AggregateView["generator"] }) {
  const saturated = generator?.workers.filter((w) => w.saturatedSeconds > 0) ?? [];
  if (saturated.length === 0) return null;
  return (
    <div class="notice generator-warning" data-generator-saturated={generator!.saturatedSeconds}>
      <b>The load generator saturated {count(generator!.saturatedSeconds)} worker-second(s)</b>: their load or latency is the generator's,
      not the target's.
      <ul>
        {saturated.map((w) => (
          <li key={w.workerId}>
            <span class="mono">{w.workerId}</span>: {count(w.saturatedSeconds)} of {count(w.seconds)} s, the first at{" "}
            {clockTime(w.saturated[0] ?? null)} (event-loop delay p95 {ms(w.loopDelayP95Ms)}, timer slip p95 {ms(w.timerSlipP95Ms)}, busiest
            thread {percent(w.busy)})
          </li>
        ))}
      </ul>
    </div>
  );
}

function Endpoints({ aggregate, running }: { aggregate: AggregateView | null; running: boolean }) {
  const now = useRecentRates(aggregate);
  const rows = aggregate?.endpoints ?? [];
  return (
    <Section
      title="Endpoints"
      right={<span class="muted small">whole run, exact percentiles merged across workers{running ? " · refreshed every 5 s" : ""}</span>}
    >
      {rows.length === 0 ? (
        <Empty>No request yet.</Empty>
      ) : (
        <div class="table-scroll">
          <table class="table" data-endpoints>
            <thead>
              <tr>
                <th>Method</th>
                <th>Name</th>
                <th class="num">Requests</th>
                <th class="num">Failures</th>
                <th class="num">Error rate</th>
                <th class="num">rps</th>
                {running && <th class="num">rps now</th>}
                <th class="num">p50</th>
                <th class="num">p90</th>
                <th class="num">p95</th>
                <th class="num">p99</th>
                <th class="num">max</th>
                <th class="num">In</th>
              </tr>
            </thead>
            <tbody>
              {[...rows]
                .sort((a, b) => b.requests - a.requests)
                .map((e) => (
                  <tr key={`${e.method} ${e.name}`}>
                    <td>
                      <span class="method">{e.method}</span>
                    </td>
                    <td class="mono">{e.name}</td>
                    <td class="num">{count(e.requests)}</td>
                    <td class={`num${e.failures > 0 ? " bad-text" : ""}`}>{count(e.failures)}</td>
                    <td class="num">{percent(e.errorRate)}</td>
                    <td class="num">{rate(e.rps)}</td>
                    {running && <td class="num">{rate(now.get(`${e.method} ${e.name}`))}</td>}
                    <td class="num">{ms(e.latency.p50)}</td>
                    <td class="num">{ms(e.latency.p90)}</td>
                    <td class="num">{ms(e.latency.p95)}</td>
                    <td class="num">{ms(e.latency.p99)}</td>
                    <td class="num">{ms(e.latency.max)}</td>
                    <td class="num">{bytes(e.bytesIn)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function Checks({ passed, failed }: { passed: number; failed: number }) {
  const total = passed + failed;
  if (total === 0) return <Empty>No check ran.</Empty>;
  return (
    <div class="checks" data-checks>
      <div class="bar">
        <div class="bar-ok" style={{ width: `${(passed / total) * 100}%` }} />
      </div>
      <div class="checks-figures">
        <span class="ok-text">{count(passed)} passed</span>
        <span class={failed > 0 ? "bad-text" : "muted"}>{count(failed)} failed</span>
        <span class="muted">{percent(passed / total)}</span>
      </div>
    </div>
  );
}

function Workers({ run }: { run: RunView }) {
  return (
    <div class="grid-2">
      <Section title={`Workers (${run.workers.length})`}>
        {run.workers.length === 0 ? (
          <Empty>No worker assigned.</Empty>
        ) : (
          <table class="table compact" data-workers>
            <thead>
              <tr>
                <th>Worker</th>
                <th>State</th>
                <th>Lanes</th>
                <th class="num">VUs</th>
                <th class="num">Arrival rate</th>
              </tr>
            </thead>
            <tbody>
              {run.workers.map((w) => (
                <tr key={w.workerId}>
                  <td class="mono">{w.workerId}</td>
                  <td>
                    <Badge tone={w.state === "lost" ? "bad" : w.state === "ready" ? "ok" : "muted"}>{w.state}</Badge>
                  </td>
                  <td class="mono small">{w.lanes.join(", ")}</td>
                  <td class="num">{w.vus}</td>
                  <td class="num">{w.arrivalRate ? rate(w.arrivalRate) : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title={`Gaps (${run.gaps.length})`}>
        {run.gaps.length === 0 ? (
          <Empty>No worker was lost.</Empty>
        ) : (
          <table class="table compact">
            <thead>
              <tr>
                <th>Worker</th>
                <th>Lanes</th>
                <th>Last seen</th>
                <th>Reassigned</th>
              </tr>
            </thead>
            <tbody>
              {run.gaps.map((g) => (
                <tr key={`${g.workerId} ${g.lostAt}`}>
                  <td class="mono">{g.workerId}</td>
                  <td class="mono small">{g.lanes.join(", ")}</td>
                  <td class="small">{dateTime(g.lastSeenAt)}</td>
                  <td class="small">{g.reassignedAt ? `${dateTime(g.reassignedAt)} → ${g.reassignedTo.join(", ")}` : "never"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}

const FORMATS = [
  ["html", "HTML"],
  ["pdf", "PDF"],
  ["json", "JSON"],
  ["csv", "CSV"],
  ["junit", "JUnit"],
] as const;

function Reports({ run, test }: { run: RunView; test: LoadTestView | null }) {
  const [error, setError] = useState<Error | null>(null);
  const others = useData<Page<RunView>>(`/v1/runs${qs({ loadTestId: run.loadTestId, limit: 20 })}`);
  const choices = (others.data?.items ?? []).filter((r) => r.id !== run.id && r.status === "Completed");
  const get = (format: string) =>
    download(`/v1/runs/${encodeURIComponent(run.id)}/report${qs({ format })}`, `loadline-${run.id}.${format}`).catch((e: Error) =>
      setError(e),
    );
  return (
    <div class="grid-2">
      <Section title="Reports">
        <div class="tools">
          {FORMATS.map(([f, label]) => (
            <button type="button" key={f} onClick={() => get(f)} data-report={f}>
              ⤓ {label}
            </button>
          ))}
        </div>
        <ErrorBox error={error} />
      </Section>
      <Section title="Compare">
        <div class="tools">
          <select
            onChange={(e) => {
              const to = e.currentTarget.value;
              if (to) navigate(`${href("runs", run.id, "compare")}${qs({ to })}`);
            }}
          >
            <option value="">Compare with…</option>
            {test?.baselineRunId && test.baselineRunId !== run.id && <option value="baseline">the baseline</option>}
            {choices.map((r) => (
              <option key={r.id} value={r.id}>
                {dateTime(r.startedAt ?? r.createdAt)} · {shortId(r.id)}
              </option>
            ))}
          </select>
        </div>
      </Section>
    </div>
  );
}
