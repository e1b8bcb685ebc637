import { type EventEnvelope, type EventType, eventExamples, newId } from "@loadline/core";
import { namespace } from "@loadline/nats";
import { describe, expect, it } from "vitest";
import {
  absoluteSubject,
  type EventRecord,
  EventsFileError,
  type EventsFileHeader,
  orderRecords,
  parseEventsFile,
  planAppend,
  relativeSubject,
  serializeHeader,
  serializeRecord,
  subjectOf,
  tailTarget,
  windowMsgId,
} from "./events-file.ts";

const ns = namespace("src");
const runId = newId();
const loadTestId = newId();

function envelope<T extends EventType>(type: T, aggregate: EventEnvelope["aggregate"], data: unknown = eventExamples[type]): EventEnvelope {
  return {
    id: newId(),
    type,
    schemaVersion: 1,
    tenantId: "default",
    aggregate,
    time: "2025-01-01T00:00:00.000Z",
    actor: "test",
    causationId: null,
    correlationId: "c",
    data,
  } as EventEnvelope;
}

const window = (second: number) =>
  envelope("metrics.window", { type: "run", id: runId }, { ...eventExamples["metrics.window"], runId, workerId: "w-1", second });

function record(event: EventEnvelope, seq: number): EventRecord {
  return { stream: event.type === "metrics.window" ? "metrics" : "events", subject: relativeSubject(ns, subjectOf(ns, event)), seq, event };
}

const records = [
  record(envelope("load-test.created", { type: "load-test", id: loadTestId }), 1),
  record(envelope("run.created", { type: "run", id: runId }, { ...eventExamples["run.created"], loadTestId }), 2),
  record(envelope("run.completed", { type: "run", id: runId }), 5),
  record(window(100), 3),
  record(window(101), 4),
];

const header = (counts = { events: 3, metrics: 2 }): EventsFileHeader => ({
  format: "loadline.events",
  version: 1,
  namespace: ns.prefix,
  tenantId: "default",
  runId,
  loadTestId,
  exportedAt: "2025-01-01T00:00:10.000Z",
  counts,
});

const fileLines = (rs: readonly EventRecord[] = records, h = header()) => [serializeHeader(h), ...orderRecords(rs).map(serializeRecord)];

function errorOf(lines: string[]): EventsFileError {
  try {
    parseEventsFile(lines);
  } catch (e) {
    if (e instanceof EventsFileError) return e;
    throw e;
  }
  throw new Error("parsed without error");
}

describe("the events file", () => {
  it("serializes a header then records, event-store ones first, each in stream order, and parses them back", () => {
    const lines = fileLines();
    expect(lines.map((l) => (JSON.parse(l) as { seq?: number }).seq)).toEqual([undefined, 1, 2, 5, 3, 4]);
    const parsed = parseEventsFile([...lines, ""]);
    expect(parsed.header).toEqual(header());
    expect(parsed.records).toEqual(orderRecords(records));
    expect(parsed.records[0]!.subject).toBe(`evt.default.load-test.${loadTestId}`);
    expect(parsed.records[3]!.subject).toBe(`met.default.${runId}.w-1`);
  });

  it("names the first bad line and why", () => {
    const lines = fileLines();
    expect(errorOf(["not json", ...lines.slice(1)]).line).toBe(1);

    const broken = [...lines];
    broken[2] = "{";
    expect(errorOf(broken)).toMatchObject({ line: 3, message: expect.stringMatching(/^line 3: not JSON/) as unknown });

    const badData = [...lines];
    const run = JSON.parse(badData[2]!) as { event: { data: Record<string, unknown> } };
    run.event.data.targetUsers = -1;
    badData[2] = JSON.stringify(run);
    expect(errorOf(badData)).toMatchObject({ line: 3, message: expect.stringContaining("bad data of run.created") as unknown });

    const unknownType = [...lines];
    unknownType[3] = unknownType[3]!.replace('"run.completed"', '"run.exploded"');
    expect(errorOf(unknownType)).toMatchObject({ line: 4, message: expect.stringContaining("unknown event type run.exploded") as unknown });
  });

  it("refuses a subject that does not match its event, a record on the wrong stream, and another run's events", () => {
    const lines = fileLines();
    const moved = [...lines];
    moved[1] = moved[1]!.replace(`"evt.default.load-test.${loadTestId}"`, `"evt.default.load-test.elsewhere"`);
    expect(errorOf(moved)).toMatchObject({ line: 2, message: expect.stringContaining("does not match the event") as unknown });

    const wrongStream = [...lines];
    wrongStream[4] = wrongStream[4]!.replace('"stream":"metrics"', '"stream":"events"');
    expect(errorOf(wrongStream)).toMatchObject({
      line: 5,
      message: expect.stringContaining("does not belong on the events stream") as unknown,
    });

    const other = record(envelope("run.completed", { type: "run", id: newId() }), 9);
    expect(errorOf(fileLines([...records, other], header({ events: 4, metrics: 2 }))).message).toMatch(/neither the run/);
  });

  it("refuses a file whose records do not add up to its header's counts (truncated)", () => {
    const lines = fileLines().slice(0, -1);
    expect(errorOf(lines)).toMatchObject({ line: 5, message: expect.stringContaining("truncated") as unknown });
    expect(errorOf([]).message).toMatch(/no header/);
  });

  it("keeps the worker's msgID of a window", () => {
    const w = window(42);
    expect(w.type === "metrics.window" && windowMsgId(w)).toBe(`${runId}.w-1.42`);
  });
});

describe("subjects between namespaces", () => {
  it("strips and puts back the namespace prefix", () => {
    const dst = namespace("dst");
    const rel = relativeSubject(ns, `src.evt.default.run.${runId}`);
    expect(absoluteSubject(dst, rel)).toBe(`dst.evt.default.run.${runId}`);
    expect(() => relativeSubject(ns, "other.evt.x")).toThrow(/not in namespace src/);
  });

  it("resolves tail patterns relative to the namespace, or including it", () => {
    expect(tailTarget(ns)).toEqual({ stream: "events", filter: "src.evt.>" });
    expect(tailTarget(ns, "met.>")).toEqual({ stream: "metrics", filter: "src.met.>" });
    expect(tailTarget(ns, "src.evt.*.run.*")).toEqual({ stream: "events", filter: "src.evt.*.run.*" });
    expect(() => tailTarget(ns, "cmd.>")).toThrow(/evt\. or met\./);
    expect(() => tailTarget(ns, "evt.")).toThrow(/evt\. or met\./);
  });
});

describe("planAppend", () => {
  it("appends what the target lacks, skips what it has, and refuses another history", () => {
    expect(planAppend([], ["a", "b"])).toEqual({ kind: "append", skip: 0 });
    expect(planAppend(["a"], ["a", "b"])).toEqual({ kind: "append", skip: 1 });
    expect(planAppend(["a", "b", "c"], ["a", "b"])).toEqual({ kind: "append", skip: 2 });
    expect(planAppend(["a", "x"], ["a", "b"])).toEqual({ kind: "conflict", at: 1 });
  });
});
