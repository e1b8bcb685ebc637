import { describe, expect, it } from "vitest";
import { SECRET_NAME_PATTERN } from "../schemas/access.ts";
import { loadTestInputSchema, loadTestSpecSchema } from "../schemas/load-test.ts";
import { runTargetSchema } from "../schemas/run.ts";
import { firstIssue } from "../validation.ts";
import { loadTestInputIssues, requestsInputIssues, scenarioInputIssues } from "./input-rules.ts";
import { scenarioSchema } from "./scenario.ts";
import { CREDENTIALS_GO_IN_SECRETS, inlineCredentialError, isCredentialHeader, secretReferences } from "./secrets.ts";
import { compileTemplate, secretOf, secretReferenceError } from "./template.ts";

const base = { name: "s", targetUrl: "http://127.0.0.1:1", defaultUsers: 1, defaultSpawnRate: 1, defaultDurationSec: 1 };
const withSteps = (steps: object[], over: object = {}) => ({ ...base, scenarios: [{ name: "api", steps, ...over }] });

function verdict(spec: unknown): { field: string | undefined; message: string } | "ok" {
  const r = loadTestInputSchema.safeParse(spec);
  return r.success ? "ok" : firstIssue(r.error);
}

describe("{{secrets.NAME}} in templates", () => {
  it("is a template variable, spaces allowed, its name the secret's", () => {
    expect(compileTemplate("Bearer {{ secrets.API_TOKEN }}").variables).toEqual(["secrets.API_TOKEN"]);
    expect(secretOf("secrets.API_TOKEN")).toBe("API_TOKEN");
    expect(secretOf("secrets.1x")).toBeNull();
    expect(secretOf("secrets.a-b")).toBeNull();
    expect(secretOf("token")).toBeNull();
    expect(secretReferenceError("secrets.a.b")).toMatch(/is no secret/);
    expect(secretReferenceError("token")).toBeNull();
  });

  it("knows secret names as the access schemas do", () => {
    for (const name of ["A", "_x", "API_TOKEN", "a".repeat(64), "1a", "a-b", "a.b", "", "a".repeat(65)])
      expect(secretOf(`secrets.${name}`) !== null).toBe(SECRET_NAME_PATTERN.test(name));
  });

  it("is accepted in a step's url (its origin too), query, headers and every kind of body", () => {
    const spec = withSteps([
      {
        type: "request",
        method: "POST",
        url: "/orgs/{{secrets.ORG}}/items",
        query: { key: "{{secrets.QUERY_KEY}}" },
        headers: { authorization: "Bearer {{ secrets.API_TOKEN }}", "x-api-key": "{{secrets.KEY}}" },
        body: { json: { deep: ["{{secrets.JSON_PW}}"] } },
      },
      { type: "request", method: "POST", url: "https://{{secrets.HOST}}/x", body: { form: { pw: "{{secrets.FORM_PW}}" } } },
      { type: "request", method: "POST", url: "/raw", body: { raw: "pw={{secrets.RAW_PW}}" } },
    ]);
    expect(verdict(spec)).toBe("ok");
    expect(secretReferences(loadTestSpecSchema.parse(spec))).toEqual([
      "API_TOKEN",
      "FORM_PW",
      "HOST",
      "JSON_PW",
      "KEY",
      "ORG",
      "QUERY_KEY",
      "RAW_PW",
    ]);
  });

  it("refuses a bad secret name where a variable would be unknown", () => {
    expect(verdict(withSteps([{ type: "request", url: "/{{secrets.1x}}" }]))).toEqual({
      field: "scenarios.0.steps.0.url",
      message: expect.stringMatching(/\{\{secrets\.1x\}\} is no secret/),
    });
  });

  it("cannot be written: not by extract, scenario variables or data columns", () => {
    const extract = withSteps([
      { type: "request", url: "/login", extract: [{ type: "jsonPath", var: "secrets.TOKEN", path: "$.t" }] },
      { type: "request", url: "/me", headers: { authorization: "Bearer {{secrets.TOKEN}}" } },
    ]);
    expect(verdict(extract)).toEqual({
      field: "scenarios.0.steps.0.extract.0.var",
      message: expect.stringMatching(/secrets\.\* are the tenant's secrets: a scenario reads them .* cannot write them/),
    });
    expect(verdict(withSteps([{ type: "request", url: "/{{secrets.X}}" }], { variables: { "secrets.X": "v" } }))).toMatchObject({
      field: "scenarios.0.variables.secrets.X",
    });
    expect(verdict(withSteps([{ type: "request", url: "/" }], { data: { rows: [{ "secrets.X": "v" }] } }))).toMatchObject({
      field: "scenarios.0.data",
      message: expect.stringMatching(/data column secrets\.X/),
    });
    // What older rules let in stays readable.
    expect(loadTestSpecSchema.safeParse(extract).success).toBe(true);
  });

  it("is refused where it would be sent as written: scenario variables, data rows, targetUrl", () => {
    expect(verdict(withSteps([{ type: "request", url: "/{{auth}}" }], { variables: { auth: "{{secrets.T}}" } }))).toEqual({
      field: "scenarios.0.variables.auth",
      message: expect.stringMatching(/\{\{secrets\.T\}\} is not rendered in scenario variables/),
    });
    expect(verdict(withSteps([{ type: "request", url: "/{{u}}" }], { data: { rows: [{ u: "a" }, { u: "{{ secrets.T }}" }] } }))).toEqual({
      field: "scenarios.0.data.rows.1.u",
      message: expect.stringMatching(/is not rendered in data rows/),
    });
    expect(loadTestInputIssues({ targetUrl: "http://{{secrets.HOST}}/", scenarios: [] })).toEqual([
      { path: ["targetUrl"], message: expect.stringMatching(/is not rendered in targetUrl/) },
    ]);
  });
});

describe("secretReferences", () => {
  it("lists the secrets of a run's target, sorted, each once, simple form included; none from what is not rendered", () => {
    const target = runTargetSchema.parse({
      targetUrl: "http://127.0.0.1:1",
      requests: [
        { method: "GET", path: "/a/{{secrets.B}}", headers: { authorization: "Bearer {{secrets.A}}" } },
        { method: "POST", path: "/b", body: '{"k":"{{secrets.C}}","k2":"{{secrets.A}}"}' },
      ],
    });
    expect(secretReferences(target)).toEqual(["A", "B", "C"]);
    const scenario = scenarioSchema.parse({
      name: "x",
      variables: { v: "{{secrets.NOT_RENDERED}}" },
      steps: [{ type: "request", url: "/{{secrets.Z}}/{{v}}/{{secrets.bad-name}}", headers: { "x-t": "{{secrets.Z}}" } }],
    });
    expect(secretReferences({ scenarios: [scenario] })).toEqual(["Z"]);
    expect(secretReferences({ scenarios: [scenarioSchema.parse({ name: "x", steps: [{ type: "request", url: "/" }] })] })).toEqual([]);
  });
});

describe("credentials typed inline in headers", () => {
  it("knows credential headers by name, case-insensitive", () => {
    for (const name of [
      "Authorization",
      "proxy-authorization",
      "COOKIE",
      "X-Api-Key",
      "x-auth-token",
      "Api-Key",
      "X-CSRF-Token",
      "X-Client-Secret",
      "X-Password",
      "My-Api-Key-2",
    ])
      expect(isCredentialHeader(name), name).toBe(true);
    for (const name of ["accept", "content-type", "x-request-id", "x-api-version", "user-agent"])
      expect(isCredentialHeader(name), name).toBe(false);
  });

  it("refuses a value with no template, naming the field and pointing to secrets", () => {
    const spec = withSteps([{ type: "request", url: "/me", headers: { Authorization: "Bearer abc123" } }]);
    expect(verdict(spec)).toEqual({
      field: "scenarios.0.steps.0.headers.Authorization",
      message: `scenarios.0.steps.0.headers.Authorization: the Authorization header holds a credential typed inline: ${CREDENTIALS_GO_IN_SECRETS}`,
    });
    expect(CREDENTIALS_GO_IN_SECRETS).toBe("credentials go in secrets: set one with PUT /v1/secrets/NAME and write {{secrets.NAME}}");
    expect(verdict(withSteps([{ type: "request", url: "/", headers: { cookie: "sid=xyz" } }]))).toMatchObject({
      field: "scenarios.0.steps.0.headers.cookie",
    });
    expect(verdict(withSteps([{ type: "request", url: "/", headers: { "X-Refresh-Token": "r-1" } }]))).toMatchObject({
      field: "scenarios.0.steps.0.headers.X-Refresh-Token",
    });
    // Older events stay readable.
    expect(loadTestSpecSchema.safeParse(spec).success).toBe(true);
  });

  it("lets through a value with a template expression, a blank one, and other headers", () => {
    const spec = withSteps([
      { type: "request", url: "/login", extract: [{ type: "jsonPath", var: "token", path: "$.token" }] },
      {
        type: "request",
        url: "/me",
        headers: {
          Authorization: "Bearer {{token}}",
          "X-Api-Key": "{{secrets.KEY}}",
          Cookie: "session={{secrets.SID}}; lang=en",
          "X-Auth-Token": "",
          accept: "application/json",
          "x-request-id": "abc123",
        },
      },
    ]);
    expect(verdict(spec)).toBe("ok");
    expect(inlineCredentialError("Authorization", "Bearer {{ secrets.T }}")).toBeNull();
    expect(inlineCredentialError("Authorization", "Bearer {secrets.T}")).toMatch(/typed inline/);
  });

  it("applies to the simple form's requests, named from the spec", () => {
    const requests = [
      { method: "GET", path: "/", headers: { accept: "*/*" } },
      { method: "GET", path: "/me", headers: { Authorization: "Basic dXNlcjpwdw==", "X-Api-Key": "{{secrets.KEY}}" } },
      { method: "GET", path: "/{{secrets.a-b}}" },
    ] as const;
    expect(requestsInputIssues(requests)).toEqual([
      { path: ["requests", 1, "headers", "Authorization"], message: expect.stringContaining(CREDENTIALS_GO_IN_SECRETS) },
      { path: ["requests", 2, "path"], message: expect.stringMatching(/\{\{secrets\.a-b\}\} is no secret/) },
    ]);
    const issues = loadTestInputIssues({ targetUrl: "http://h", requests: [...requests] }).map((i) => i.path.join("."));
    expect(issues).toEqual(["requests.1.headers.Authorization", "requests.2.path"]);
  });

  it("is one of the scenario input rules", () => {
    const scenario = scenarioSchema.parse({ name: "x", steps: [{ type: "request", url: "/", headers: { "X-Api-Key": "k-123" } }] });
    expect(scenarioInputIssues(scenario)).toEqual([
      { path: ["steps", 0, "headers", "X-Api-Key"], message: expect.stringMatching(/typed inline/) },
    ]);
  });
});
