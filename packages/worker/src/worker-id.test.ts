import { describe, expect, it } from "vitest";
import { defaultWorkerId, validWorkerId } from "./worker-id.ts";

describe("defaultWorkerId", () => {
  it("is w-<host>-<6 hex> and a valid subject token", () => {
    const id = defaultWorkerId("load-01");
    expect(id).toMatch(/^w-load-01-[0-9a-f]{6}$/);
    expect(validWorkerId(id)).toBe(id);
  });

  it("reduces a dotted hostname to a token", () => {
    expect(defaultWorkerId("ip-10-0-0-1.eu-west-1.compute.internal")).toMatch(/^w-ip-10-0-0-1-eu-west-1-compute-int[a-z]*-[0-9a-f]{6}$/);
    expect(defaultWorkerId("...")).toMatch(/^w-host-[0-9a-f]{6}$/);
  });

  it("differs between two calls", () => {
    expect(defaultWorkerId("h")).not.toBe(defaultWorkerId("h"));
  });

  it("rejects an id that is not a token", () => {
    expect(() => validWorkerId("a.b")).toThrow();
  });
});
