import { describe, expect, it } from "vitest";
import { loadTestCommands, loadTestInputSchema, loadTestSpecSchema } from "../schemas/load-test.ts";
import { firstIssue } from "../validation.ts";
import { isHttpUrl, stepUrlError } from "./step-url.ts";

const base = { name: "s", targetUrl: "http://127.0.0.1:1", defaultUsers: 1, defaultSpawnRate: 1, defaultDurationSec: 1 };
const withUrl = (url: string) => ({ ...base, scenarios: [{ name: "a", steps: [{ type: "request", url }] }] });

/** The field and message a 400 would carry for this spec as a write, or "ok". */
function verdict(spec: unknown): { field: string | undefined; message: string } | "ok" {
  const r = loadTestInputSchema.safeParse(spec);
  return r.success ? "ok" : firstIssue(r.error);
}

describe("step urls: what a worker can send a request to", () => {
  it("takes paths, http(s) URLs in any case of scheme, and urls whose origin is a variable", () => {
    for (const url of [
      "/items",
      "//cdn/x",
      "http://h/x",
      "HTTPS://Other.example:8443/a?b=1",
      "Http://h",
      "{{base}}/items",
      "http://{{host}}/x",
      "https://h/{{id}}",
    ])
      expect(stepUrlError(url), url).toBeNull();
  });

  it("refuses other schemes, bare words and malformed http URLs, saying why", () => {
    expect(stepUrlError("file:///etc/passwd")).toBe("must be an http(s) URL, not file:");
    expect(stepUrlError("javascript:alert(1)")).toBe("must be an http(s) URL, not javascript:");
    expect(stepUrlError("FTP://x")).toBe("must be an http(s) URL, not ftp:");
    expect(stepUrlError("items")).toMatch(/a path starting with \//);
    expect(stepUrlError("http:items")).toBe("must start with http://");
    expect(stepUrlError("http://")).toBe("is not a valid http(s) URL");
  });

  it("a write is refused at create time naming the step's url", () => {
    expect(verdict(withUrl("file:///etc/passwd"))).toEqual({
      field: "scenarios.0.steps.0.url",
      message: "scenarios.0.steps.0.url: must be an http(s) URL, not file:",
    });
    expect(verdict(withUrl("javascript:alert(1)"))).toMatchObject({ field: "scenarios.0.steps.0.url" });
    expect(verdict(withUrl("HTTP://h/x"))).toBe("ok");
    // The create and update commands are held to it too: the orchestrator parses what the API checked.
    expect(loadTestCommands["load-test.create"].safeParse({ spec: withUrl("file:///x") }).success).toBe(false);
    expect(loadTestCommands["load-test.update"].safeParse({ spec: withUrl("file:///x") }).success).toBe(false);
  });

  it("events written before the rule still read (the event schema is not tightened)", () => {
    expect(loadTestSpecSchema.safeParse(withUrl("file:///etc/passwd")).success).toBe(true);
  });
});

describe("targetUrl", () => {
  it("takes an http(s) scheme in any case, refuses others", () => {
    expect(verdict({ ...withUrl("/"), targetUrl: "HTTP://127.0.0.1:1" })).toBe("ok");
    expect(verdict({ ...withUrl("/"), targetUrl: "Https://example.com/api" })).toBe("ok");
    for (const targetUrl of ["file:///etc/passwd", "javascript:alert(1)", "ftp://x", "http:x"])
      expect(verdict({ ...withUrl("/"), targetUrl }), targetUrl).toMatchObject({ field: "targetUrl" });
    expect(isHttpUrl("http://")).toBe(false);
  });
});
