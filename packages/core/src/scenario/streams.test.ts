import { describe, expect, it } from "vitest";
import { loadTestInputSchema } from "../schemas/load-test.ts";
import { firstIssue } from "../validation.ts";
import { streamStepRowNames } from "./streams.ts";

const base = { name: "s", targetUrl: "http://127.0.0.1:1", defaultUsers: 1, defaultSpawnRate: 1, defaultDurationSec: 1 };
const withSteps = (steps: object[]) => ({ ...base, scenarios: [{ name: "chat", steps }] });
const ws = (actions: object[], over: object = {}) => ({ type: "ws", name: "chat", url: "/ws/echo", actions, ...over });

function verdict(spec: unknown): { field: string | undefined; message: string } | "ok" {
  const r = loadTestInputSchema.safeParse(spec);
  return r.success ? "ok" : firstIssue(r.error);
}

describe("ws and sse steps validate, naming the field", () => {
  it("takes a conversation: send (text or json), expect with checks and extractions, hold, close; then the variable is known", () => {
    const spec = withSteps([
      ws([
        { type: "send", json: { type: "hello", vu: "{{__vu}}" } },
        {
          type: "expect",
          name: "hello",
          timeoutMs: 1000,
          checks: [
            { type: "jsonPath", path: "$.type", equals: "hello" },
            { type: "regex", pattern: "^\\{" },
            { type: "bodyContains", value: "vu" },
          ],
          extract: [{ type: "jsonPath", var: "vu", path: "$.vu" }],
        },
        { type: "send", text: "again {{vu}}" },
        { type: "hold", ms: 100, pingEveryMs: 50 },
        { type: "close" },
      ]),
      { type: "sse", name: "ticks", url: "/sse/ticks?n=3&ms=10", headers: { "x-vu": "{{vu}}" }, count: 3, timeoutMs: 2000 },
      { type: "request", url: "/fixed?vu={{vu}}" },
    ]);
    expect(verdict(spec)).toBe("ok");
  });

  const refused: [string, object, string, RegExp][] = [
    ["an expect without a timeout", withSteps([ws([{ type: "expect" }])]), "scenarios.0.steps.0.actions.0.timeoutMs", /./],
    [
      "a check kind a message has not (status)",
      withSteps([ws([{ type: "expect", timeoutMs: 100, checks: [{ type: "status", in: [200] }] }])]),
      "scenarios.0.steps.0.actions.0.checks.0.type",
      /jsonPath, bodyContains or regex/,
    ],
    [
      "a regex RE2 refuses",
      withSteps([ws([{ type: "expect", timeoutMs: 100, checks: [{ type: "regex", pattern: "(a)\\1" }] }])]),
      "scenarios.0.steps.0.actions.0.checks.0.pattern",
      /bad regex/,
    ],
    [
      "a bad JSON path in an extraction",
      withSteps([ws([{ type: "expect", timeoutMs: 100, extract: [{ type: "jsonPath", var: "x", path: "$.." }] }])]),
      "scenarios.0.steps.0.actions.0.extract.0.path",
      /bad JSON path/,
    ],
    [
      "a send with both text and json",
      withSteps([ws([{ type: "send", text: "a", json: {} }])]),
      "scenarios.0.steps.0.actions.0.text",
      /text or json/,
    ],
    ["an unknown action", withSteps([ws([{ type: "wait" }])]), "scenarios.0.steps.0.actions.0.type", /send, expect, hold or close/],
    [
      "an unknown variable in a message",
      withSteps([ws([{ type: "send", json: { id: "{{nope}}" } }])]),
      "scenarios.0.steps.0.actions.0.json.id",
      /unknown variable \{\{nope\}\}/,
    ],
    [
      "a ws url that is no http(s) path or URL",
      withSteps([ws([{ type: "close" }], { url: "ftp://x/" })]),
      "scenarios.0.steps.0.url",
      /http/,
    ],
    [
      "an sse count without a timeout",
      withSteps([{ type: "sse", url: "/sse/ticks", count: 3 }]),
      "scenarios.0.steps.0.timeoutMs",
      /timeoutMs/,
    ],
    ["an sse step with neither count nor duration", withSteps([{ type: "sse", url: "/sse/ticks" }]), "scenarios.0.steps.0.count", /count/],
    [
      "a secret written by an sse extraction",
      withSteps([{ type: "sse", url: "/s", durationMs: 10, extract: [{ type: "regex", var: "secrets.X", pattern: "(.)" }] }]),
      "scenarios.0.steps.0.extract.0.var",
      /secret/,
    ],
    ["an unknown step type", withSteps([{ type: "graphql" }]), "scenarios.0.steps.0.type", /request, think, ws, sse or grpc/],
  ];
  it.each(refused)("refuses %s", (_, spec, field, message) => {
    const v = verdict(spec);
    expect(v).not.toBe("ok");
    if (v === "ok") return;
    expect(v.field).toBe(field);
    expect(v.message).toMatch(message);
  });
});

describe("streamStepRowNames", () => {
  it("names a ws step's connect and expect rows, and an sse step's first and next rows", () => {
    const spec = loadTestInputSchema.parse(
      withSteps([
        ws([
          { type: "expect", timeoutMs: 10 },
          { type: "expect", name: "pong", timeoutMs: 10 },
        ]),
        { type: "sse", url: "/sse/ticks", durationMs: 10 },
      ]),
    );
    const [chat, ticks] = spec.scenarios![0]!.steps;
    expect(chat!.type === "ws" && streamStepRowNames(chat!)).toEqual(["WS connect chat", "WS expect chat", "WS expect pong"]);
    expect(ticks!.type === "sse" && streamStepRowNames(ticks!)).toEqual(["SSE first /sse/ticks", "SSE next /sse/ticks"]);
  });
});
