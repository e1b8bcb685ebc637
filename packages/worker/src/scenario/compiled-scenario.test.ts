import type { Scenario } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { CompiledScenario } from "./compiled-scenario.ts";

const get = (url: string, extra: object = {}) => ({
  type: "request" as const,
  method: "GET" as const,
  url,
  timeoutMs: 5000,
  checks: [],
  extract: [],
  ...extra,
});

describe("CompiledScenario.plannedOrigins", () => {
  it("names each origin its request steps' urls fix, once per connection options, and none a url renders per request", () => {
    const scenario: Scenario = {
      name: "s",
      weight: 1,
      variables: { host: "a.test" },
      steps: [
        get("/one"),
        get("/two?x={{__iter}}"),
        get("https://other.test/x"),
        get("https://other.test/y", { http: { tls: { insecureSkipVerify: true } } }),
        get("http://{{host}}/z"),
        { type: "think", distribution: "constant", ms: 10 },
      ],
    };
    const origins = CompiledScenario.compile(scenario, "http://target.test:8080/api").plannedOrigins;
    expect(origins.map((o) => [o.origin, o.connection?.insecureSkipVerify ?? null])).toEqual([
      ["http://target.test:8080", null],
      ["https://other.test", null],
      ["https://other.test", true],
    ]);
  });
});
