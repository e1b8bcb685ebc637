import { ago, count } from "../format.ts";
import type { ProjectionStatus } from "../types.ts";
import { Badge, ErrorBox } from "../ui.tsx";
import { useData } from "../use-data.ts";

/** The read model's projections: how far each is in its stream, its lag and dead letters. */
export function ProjectionsPage() {
  const status = useData<{ items: ProjectionStatus[] }>("/v1/projections", 2000);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Projections</h1>
      </div>
      <ErrorBox error={status.error} />
      <div class="card">
        <table class="table" data-projections>
          <thead>
            <tr>
              <th>Projection</th>
              <th>Stream</th>
              <th>State</th>
              <th class="num">Checkpoint</th>
              <th class="num">Stream last seq</th>
              <th class="num">Lag</th>
              <th class="num">Dead letters</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {(status.data?.items ?? []).map((p) => (
              <tr key={p.name}>
                <td class="strong">{p.name}</td>
                <td class="mono small">{p.stream}</td>
                <td>{p.state === "ok" ? <Badge tone="ok">ok</Badge> : <Badge tone="bad">retrying since {ago(p.since)}</Badge>}</td>
                <td class="num">{count(p.checkpoint)}</td>
                <td class="num">{count(p.streamLastSeq)}</td>
                <td class={`num${p.lag > 1000 ? " bad-text" : ""}`}>{count(p.lag)}</td>
                <td class={`num${p.deadLetters > 0 ? " bad-text" : ""}`}>{p.deadLetters}</td>
                <td class="small bad-text">{p.lastError ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
