import { useEffect, useState } from "preact/hooks";
import { ApiError, qs, request } from "../api.ts";
import { ago, duration } from "../format.ts";
import { useLiveRuns } from "../live-runs.ts";
import { lineOfField, NEW_TEST_TEMPLATE, overridesOf, parseTestFile, TestFileProblem, testFileOf } from "../load-test-file.ts";
import { href, navigate } from "../router.ts";
import type { LoadTestView, RunView } from "../types.ts";
import { Empty, ErrorBox, Section, StatusBadge, VerdictBadge } from "../ui.tsx";
import { useData } from "../use-data.ts";
import { type EditorProblem, YamlEditor } from "../yaml-editor.tsx";

/** A problem of the text, or the API's refusal pointed at the line of the field it names. */
function problemOf(err: unknown, text: string): EditorProblem {
  if (err instanceof TestFileProblem) return { message: err.message, field: err.field, line: err.line };
  if (err instanceof ApiError) {
    const field = err.field && err.field !== "body" ? err.field : undefined;
    const message = field && err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
    return { message, field, line: field ? lineOfField(text, field) : undefined };
  }
  return { message: (err as Error).message };
}

/** A load test: its file in the editor (saved with the version it was read at), its start form, its runs. `new` makes one. */
export function TestPage({ id }: { id: string }) {
  const isNew = id === "new";
  const test = useData<LoadTestView>(isNew ? null : `/v1/load-tests/${encodeURIComponent(id)}`);
  const [text, setText] = useState(isNew ? NEW_TEST_TEMPLATE : "");
  const [saved, setSaved] = useState(isNew ? "" : "");
  const [problem, setProblem] = useState<EditorProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (test.data) {
      const file = testFileOf(test.data);
      setText(file);
      setSaved(file);
    }
  }, [test.data?.version]);

  const save = async () => {
    setBusy(true);
    setProblem(null);
    setNotice(null);
    try {
      const { spec } = parseTestFile(text);
      if (isNew) {
        const created = await request<LoadTestView>("/v1/load-tests", { method: "POST", body: spec });
        navigate(href("tests", created.id));
      } else {
        await request<LoadTestView>(`/v1/load-tests/${encodeURIComponent(id)}`, {
          method: "PUT",
          body: spec,
          headers: { "If-Match": `"${test.data?.version ?? 0}"` },
        });
        setNotice("Saved.");
        test.reload();
      }
    } catch (err) {
      setProblem(problemOf(err, text));
    } finally {
      setBusy(false);
    }
  };

  if (!isNew && test.error && !test.data) return <ErrorBox error={test.error} />;
  const dirty = text !== saved;
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          <a href={href("tests")} class="crumb">
            Load tests
          </a>{" "}
          / {isNew ? "New test" : (test.data?.name ?? "…")}
        </h1>
        {test.data && (
          <span class="muted small">
            version {test.data.version} · updated {ago(test.data.updatedAt)} by {test.data.updatedBy}
          </span>
        )}
      </div>
      <div class="split">
        <div class="split-main">
          <Section
            title="Test file (YAML)"
            right={
              <div class="tools">
                {dirty && !isNew && <span class="muted small">unsaved changes</span>}
                {notice && !dirty && <span class="ok-text small">{notice}</span>}
                <button type="button" class="primary" onClick={save} disabled={busy} data-save>
                  {isNew ? "Create test" : "Save"}
                </button>
              </div>
            }
          >
            <YamlEditor
              value={text}
              onChange={(v) => {
                setText(v);
                setProblem(null);
              }}
              problem={problem}
            />
          </Section>
        </div>
        {!isNew && test.data && (
          <div class="split-side">
            <StartForm test={test.data} text={text} dirty={dirty} />
            <TestRuns testId={test.data.id} baselineRunId={test.data.baselineRunId} />
            <DeleteTest test={test.data} />
          </div>
        )}
      </div>
    </div>
  );
}

function StartForm({ test, text, dirty }: { test: LoadTestView; text: string; dirty: boolean }) {
  const [form, setForm] = useState({ targetUsers: "", spawnRate: "", durationSec: "" });
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let fileOverrides: Record<string, unknown> = {};
      try {
        fileOverrides = parseTestFile(text).overrides;
      } catch {
        // the file's run section is optional; a broken file is said when saved
      }
      const body = { ...fileOverrides, ...overridesOf(form) };
      const run = await request<RunView>(`/v1/load-tests/${encodeURIComponent(test.id)}/runs`, { method: "POST", body });
      navigate(href("runs", run.id));
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const field = (key: keyof typeof form, label: string, placeholder: number) => (
    <label class="field-row">
      <span>{label}</span>
      <input
        type="number"
        min="0"
        step="any"
        name={key}
        placeholder={String(placeholder)}
        value={form[key]}
        onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })}
      />
    </label>
  );
  return (
    <Section title="Start a run">
      <form class="start-form" onSubmit={start}>
        {field("targetUsers", "Users", test.defaultUsers)}
        {field("spawnRate", "Spawn rate /s", test.defaultSpawnRate)}
        {field("durationSec", "Duration (s)", test.defaultDurationSec)}
        {dirty && <p class="notice small">The saved test runs: save your changes first.</p>}
        <ErrorBox error={error} />
        <button type="submit" class="primary wide" disabled={busy} data-start>
          {busy ? "Starting…" : "▶ Start run"}
        </button>
      </form>
    </Section>
  );
}

function TestRuns({ testId, baselineRunId }: { testId: string; baselineRunId: string | null }) {
  const runs = useLiveRuns({ loadTestId: testId, limit: 10 });
  return (
    <Section title="Recent runs" right={<a href={`#/runs${qs({ loadTestId: testId })}`}>all</a>}>
      {runs.data && runs.data.items.length === 0 ? (
        <Empty>No run yet.</Empty>
      ) : (
        <table class="table compact">
          <tbody>
            {(runs.data?.items ?? []).map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={href("runs", r.id)}>{ago(r.createdAt)}</a>
                  {r.id === baselineRunId && <span class="badge muted">baseline</span>}
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  <VerdictBadge verdict={r.verdict} />
                </td>
                <td class="num muted">
                  {r.targetUsers}u · {duration(r.durationSec)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function DeleteTest({ test }: { test: LoadTestView }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const remove = async () => {
    try {
      await request(`/v1/load-tests/${encodeURIComponent(test.id)}`, { method: "DELETE", headers: { "If-Match": `"${test.version}"` } });
      navigate(href("tests"));
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <div class="danger-zone">
      <ErrorBox error={error} />
      {confirming ? (
        <>
          <span class="small">Delete “{test.name}”? Its runs stay.</span>
          <button type="button" class="danger" onClick={remove} data-confirm-delete>
            Delete
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep
          </button>
        </>
      ) : (
        <button type="button" class="danger-outline" onClick={() => setConfirming(true)} data-delete>
          Delete test…
        </button>
      )}
    </div>
  );
}
