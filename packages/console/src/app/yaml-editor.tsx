import { useRef } from "preact/hooks";

export type EditorProblem = { message: string; field?: string | undefined; line?: number | undefined };

/** A YAML text area with line numbers; the line of a problem is marked and the problem said under it. */
export function YamlEditor({ value, onChange, problem }: { value: string; onChange: (v: string) => void; problem: EditorProblem | null }) {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split("\n").length;
  return (
    <div class={`editor${problem ? " has-problem" : ""}`}>
      <div class="editor-body">
        <div class="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <div key={i} class={problem?.line === i + 1 ? "bad-line" : ""}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          spellcheck={false}
          autocapitalize="off"
          autocomplete="off"
          wrap="off"
          value={value}
          onInput={(e) => onChange(e.currentTarget.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
          data-yaml-editor
        />
      </div>
      {problem && (
        <div class="problem" role="alert" data-problem>
          {problem.field && (
            <span class="field" data-problem-field>
              {problem.field}
            </span>
          )}
          {problem.line !== undefined && <span class="line">line {problem.line}</span>}
          <span class="message">{problem.message}</span>
        </div>
      )}
    </div>
  );
}
