import { describe, expect, it } from "vitest";
import { failureOf, transportFailureKind } from "./failure.ts";
import { TransportFailure } from "./transport.ts";

describe("failureOf", () => {
  it("takes the first that applies: transport, 5xx, 4xx, check", () => {
    expect(failureOf("timeout", null, 3)).toBe("timeout");
    expect(failureOf(null, 503, 2)).toBe("5xx");
    expect(failureOf(null, 404, 2)).toBe("4xx");
    expect(failureOf(null, 400, 0)).toBe("4xx");
    expect(failureOf(null, 200, 1)).toBe("check");
    expect(failureOf(null, 302, 0)).toBeNull();
    expect(failureOf(null, 200, 0)).toBeNull();
  });
});

describe("transportFailureKind", () => {
  it("reads a TransportFailure's kind, a TimeoutError as timeout, anything else as reset", () => {
    expect(transportFailureKind(new TransportFailure("connect"))).toBe("connect");
    expect(transportFailureKind(new DOMException("t", "TimeoutError"))).toBe("timeout");
    expect(transportFailureKind(new Error("boom"))).toBe("reset");
    expect(transportFailureKind("weird")).toBe("reset");
  });
});
