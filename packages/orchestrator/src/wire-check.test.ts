import { createCommand, newId } from "@loadline/core";
import { HttpError } from "@loadline/service";
import { describe, expect, it } from "vitest";
import { checkWire, ENVELOPE_HEADROOM, largestPart } from "./wire-check.ts";

const spec = (bodies: number[]) => ({
  name: "big",
  tags: [],
  targetUrl: "http://127.0.0.1:9",
  requests: bodies.map((n) => ({ method: "POST" as const, path: "/", body: "x".repeat(n) })),
  defaultUsers: 1,
  defaultSpawnRate: 1,
  defaultDurationSec: 1,
});
const create = (s: ReturnType<typeof spec>) =>
  createCommand({ type: "load-test.create", tenantId: "default", aggregate: { type: "load-test", id: newId() }, data: { spec: s } });

function refusal(fn: () => void): HttpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error("not refused");
}

describe("largestPart: what a 413 names", () => {
  it("goes down to the larger of two large parts", () => {
    expect(largestPart(spec([600_000, 610_000])).path).toEqual(["requests", 1, "body"]);
  });
  it("stops at a list of many small parts rather than name one of them", () => {
    const steps = Array.from({ length: 1000 }, (_, i) => ({ url: `/item/${i}` }));
    expect(largestPart({ name: "s", scenarios: [{ name: "a", steps }] }).path).toEqual(["scenarios", 0, "steps"]);
  });
});

describe("checkWire: a command the API sends can be read and carried", () => {
  it("413 naming the largest part when the command would not fit in a NATS message with its envelope", () => {
    const s = spec([600_000, 610_000]);
    const e = refusal(() => checkWire(create(s), s, 1024 * 1024));
    expect([e.status, e.code, e.field]).toEqual([413, "payload_too_large", "requests.1.body"]);
    expect(e.message).toMatch(/max_payload 1048576/);
  });

  it("takes a command that fits, headroom left for the envelope", () => {
    const s = spec([500_000]);
    expect(() => checkWire(create(s), s, 1024 * 1024)).not.toThrow();
    // The same command, with less room than the headroom leaves over it, is refused.
    const bytes = Buffer.byteLength(JSON.stringify(create(s)));
    expect(refusal(() => checkWire(create(s), s, bytes + ENVELOPE_HEADROOM - 1)).status).toBe(413);
  });

  it("400 naming the field when the orchestrator's parser would refuse the command (never dropped as unreadable)", () => {
    const command = createCommand({
      type: "load-test.delete",
      tenantId: "default",
      aggregate: { type: "load-test", id: newId() },
      data: { expectedVersion: 1e20 },
    });
    const e = refusal(() => checkWire(command, null, 1024 * 1024));
    expect([e.status, e.field]).toEqual([400, "If-Match"]);
  });
});
