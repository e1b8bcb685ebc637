import { describe, expect, it } from "vitest";
import { loadTestInputSchema, loadTestSpecSchema } from "../schemas/load-test.ts";
import { firstIssue } from "../validation.ts";

const base = { name: "s", targetUrl: "http://127.0.0.1:1", defaultUsers: 1, defaultSpawnRate: 1, defaultDurationSec: 1 };
const withScenario = (over: object) => ({ ...base, scenarios: [{ name: "login", steps: [{ type: "request", url: "/login" }], ...over }] });

/** The field and message a 400 would carry for this spec, or "ok". */
function verdict(spec: unknown): { field: string | undefined; message: string } | "ok" {
  const r = loadTestInputSchema.safeParse(spec);
  if (r.success) return "ok";
  return firstIssue(r.error);
}

describe("scenario validation names the scenario, the step and the field", () => {
  const refused: [string, object, string, RegExp][] = [
    [
      "an unknown variable in a URL",
      withScenario({ steps: [{ type: "request", url: "/items/{{id}}" }] }),
      "scenarios.0.steps.0.url",
      /unknown variable \{\{id\}\} in scenario "login" step 0/,
    ],
    [
      "a variable used before it is extracted",
      withScenario({
        steps: [
          { type: "request", url: "/me", headers: { authorization: "Bearer {{token}}" } },
          { type: "request", url: "/login", extract: [{ type: "jsonPath", var: "token", path: "$.token" }] },
        ],
      }),
      "scenarios.0.steps.0.headers.authorization",
      /\{\{token\}\}/,
    ],
    [
      "an unknown variable deep in a JSON body",
      withScenario({ steps: [{ type: "request", url: "/x", body: { json: { a: ["{{nope}}"] } } }] }),
      "scenarios.0.steps.0.body.json.a.0",
      /\{\{nope\}\}/,
    ],
    [
      "a bad JSON path",
      withScenario({ steps: [{ type: "request", url: "/x", extract: [{ type: "jsonPath", var: "t", path: "$.items[" }] }] }),
      "scenarios.0.steps.0.extract.0.path",
      /bad JSON path/,
    ],
    [
      "a JSON path without $",
      withScenario({ steps: [{ type: "request", url: "/x", checks: [{ type: "jsonPath", path: "token", exists: true }] }] }),
      "scenarios.0.steps.0.checks.0.path",
      /starts with \$/,
    ],
    [
      "a bad regex",
      withScenario({ steps: [{ type: "request", url: "/x", checks: [{ type: "header", name: "a", matches: "(" }] }] }),
      "scenarios.0.steps.0.checks.0.matches",
      /bad regex/,
    ],
    [
      "a regex with lookahead (RE2 has none: matching must stay linear)",
      withScenario({
        steps: [
          { type: "request", url: "/a" },
          { type: "request", url: "/x", extract: [{ type: "regex", var: "token", pattern: 'token="(?=\\w)([^"]+)"' }] },
        ],
      }),
      "scenarios.0.steps.1.extract.0.pattern",
      /bad regex: .*lookaround is not supported \(regexes are RE2 syntax\)/,
    ],
    [
      "a regex with a backreference",
      withScenario({ steps: [{ type: "request", url: "/x", checks: [{ type: "header", name: "etag", matches: '(["])\\w+\\1' }] }] }),
      "scenarios.0.steps.0.checks.0.matches",
      /bad regex: .*backreferences are not supported/,
    ],
    ["a weight of 0", withScenario({ weight: 0 }), "scenarios.0.weight", /greater than 0/],
    [
      "an unknown executor",
      withScenario({ executor: { type: "constant-users", vus: 1 } }),
      "scenarios.0.executor.type",
      /unknown executor/,
    ],
    [
      "maxVUs below preAllocatedVUs",
      withScenario({ executor: { type: "constant-arrival-rate", rate: 10, durationSec: 1, preAllocatedVUs: 5, maxVUs: 2 } }),
      "scenarios.0.executor.maxVUs",
      /at least preAllocatedVUs/,
    ],
    [
      "an unknown step type",
      withScenario({ steps: [{ type: "sleep", ms: 1 }] }),
      "scenarios.0.steps.0.type",
      /request, think, ws, sse or grpc/,
    ],
    [
      "an unknown think distribution",
      withScenario({ steps: [{ type: "think", distribution: "poisson", ms: 1 }] }),
      "scenarios.0.steps.0.distribution",
      /constant, uniform or normal/,
    ],
    ["bad CSV data", withScenario({ data: { csv: 'a,b\n"1,2\n' } }), "scenarios.0.data.csv", /bad CSV/],
    [
      "two scenarios of one name",
      {
        ...base,
        scenarios: [
          { name: "a", steps: [{ type: "request", url: "/" }] },
          { name: "a", steps: [{ type: "request", url: "/" }] },
        ],
      },
      "scenarios.1.name",
      /used twice/,
    ],
    [
      "both requests and scenarios",
      { ...withScenario({}), requests: [{ method: "GET", path: "/" }] },
      "scenarios",
      /either requests or scenarios/,
    ],
    ["neither requests nor scenarios", base, "scenarios", /either requests or scenarios/],
  ];
  for (const [what, spec, field, message] of refused) {
    it(`refuses ${what}`, () => {
      const v = verdict(spec);
      expect(v).not.toBe("ok");
      if (v !== "ok") {
        expect(v.field).toBe(field);
        expect(v.message).toMatch(message);
      }
    });
  }

  it("accepts extracted variables, data columns, scenario variables and built-ins", () => {
    const spec = withScenario({
      variables: { host: "shop" },
      data: { csv: "user,password\nann,pw1\nbob,pw2\n", mode: "unique" },
      steps: [
        {
          type: "request",
          method: "POST",
          url: "/login",
          body: { json: { user: "{{user}}", password: "{{password}}" } },
          extract: [{ type: "jsonPath", var: "token", path: "$.token" }],
        },
        { type: "think", distribution: "uniform", minMs: 10, maxMs: 20 },
        {
          type: "request",
          url: "/orders/{{__vu}}-{{__iteration}}",
          query: { h: "{{host}}" },
          headers: { authorization: "Bearer {{token}}" },
          checks: [{ type: "status", in: [200] }],
        },
      ],
    });
    expect(verdict(spec)).toBe("ok");
    const parsed = loadTestSpecSchema.parse(spec);
    expect(parsed.scenarios![0]!.data).toEqual({
      mode: "unique",
      rows: [
        { user: "ann", password: "pw1" },
        { user: "bob", password: "pw2" },
      ],
    });
    expect(parsed.scenarios![0]!.weight).toBe(1);
  });

  it("accepts {{__worker}} anywhere a built-in may go, and still refuses a name like it", () => {
    const using = (url: string) =>
      withScenario({ steps: [{ type: "request", url, query: { w: "{{__worker}}" }, headers: { "x-w": "{{ __worker }}" } }] });
    expect(verdict(using("/hits/{{__worker}}/{{__vu}}"))).toBe("ok");
    expect(verdict(using("/hits/{{__workers}}"))).toMatchObject({
      field: "scenarios.0.steps.0.url",
      message: expect.stringMatching(/\{\{__workers\}\}/),
    });
  });
});

describe("input rules bind writes, not the events already stored", () => {
  it("refuses a lookaround regex and a file: url on input, and still reads them from an older event", () => {
    const spec = withScenario({
      steps: [
        { type: "request", url: "file:///etc/passwd" },
        { type: "request", url: "/x", checks: [{ type: "header", name: "etag", matches: "(?=a)a" }] },
      ],
    });
    expect(verdict(spec)).toEqual({ field: "scenarios.0.steps.0.url", message: expect.stringMatching(/http\(s\)/) });
    const issues = loadTestInputSchema.safeParse(spec).error!.issues.map((i) => i.path.join("."));
    expect(issues).toEqual(["scenarios.0.steps.0.url", "scenarios.0.steps.1.checks.0.matches"]);
    // What an older version let in stays readable: replays and rebuilds must not lose it.
    expect(loadTestSpecSchema.safeParse(spec).success).toBe(true);
  });
});
