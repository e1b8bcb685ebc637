// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} placeholders are what these tests are about.
import { describe, expect, it } from "vitest";
import { EnvSubstitutionError, envPlaceholderIssues, envReferences, hasEnvPlaceholder, runEnvSchema, substituteEnv } from "./env.ts";

const failure = (fn: () => unknown): { path: string; reason: string } => {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvSubstitutionError) return { path: e.path, reason: e.reason };
    throw e;
  }
  throw new Error("expected a refusal");
};

describe("substituteEnv", () => {
  const env = { BASE_URL: "http://127.0.0.1:8080", TOKEN_NAME: "api", EMPTY: "" };

  it("fills ${NAME} and {{env.NAME}} anywhere in strings of nested objects and arrays", () => {
    const spec = {
      targetUrl: "${BASE_URL}",
      scenarios: [{ steps: [{ url: "{{env.BASE_URL}}/a", headers: { "X-Name": "{{ env.TOKEN_NAME }}-${TOKEN_NAME}" }, n: 3 }] }],
      thresholds: { "http_req_duration{url:${BASE_URL}}": ["p(95)<${LIMIT:-500}"] },
    };
    expect(substituteEnv(spec, env)).toEqual({
      targetUrl: "http://127.0.0.1:8080",
      scenarios: [{ steps: [{ url: "http://127.0.0.1:8080/a", headers: { "X-Name": "api-api" }, n: 3 }] }],
      // Keys are left as written: only values are substituted.
      thresholds: { "http_req_duration{url:${BASE_URL}}": ["p(95)<500"] },
    });
  });

  it("takes the default when the variable is unset or empty, and the value otherwise", () => {
    expect(substituteEnv("${MISSING:-x}|${EMPTY:-y}|${BASE_URL:-z}|${MISSING:-}", env)).toBe("x|y|http://127.0.0.1:8080|");
    expect(substituteEnv("${EMPTY}", env)).toBe("");
  });

  it("keeps $${...} as a literal ${...}", () => {
    expect(substituteEnv("a $${BASE_URL} b $$ c", env)).toBe("a ${BASE_URL} b $$ c");
  });

  it("does not substitute inside {{var}} and {{secrets.X}} templates", () => {
    expect(substituteEnv("Bearer {{secrets.TOKEN}} {{id}} {{secrets.${TOKEN_NAME}}}", env)).toBe(
      "Bearer {{secrets.TOKEN}} {{id}} {{secrets.${TOKEN_NAME}}}",
    );
  });

  it("refuses a missing variable naming the field", () => {
    const spec = { scenarios: [{ steps: [{}, {}, { headers: { Authorization: "Bearer ${API_TOKEN}" } }] }] };
    expect(failure(() => substituteEnv(spec, {}))).toEqual({
      path: "scenarios.0.steps.2.headers.Authorization",
      reason: "${API_TOKEN} is not set",
    });
    expect(failure(() => substituteEnv({ targetUrl: "{{env.BASE_URL}}" }, {}))).toEqual({
      path: "targetUrl",
      reason: "{{env.BASE_URL}} is not set",
    });
  });

  it("refuses malformed placeholders, and does not read inherited properties", () => {
    expect(failure(() => substituteEnv({ a: "${lower}" }, {})).path).toBe("a");
    expect(failure(() => substituteEnv({ a: "${OPEN" }, {})).reason).toMatch(/not closed/);
    expect(failure(() => substituteEnv({ a: "{{env.x-y}}" }, {})).reason).toMatch(/no environment variable/);
    expect(failure(() => substituteEnv({ a: "${toString}" }, {})).reason).toMatch(/no environment variable/);
    expect(failure(() => substituteEnv({ a: "${CONSTRUCTOR}" }, {})).reason).toBe("${CONSTRUCTOR} is not set");
  });
});

describe("env references and checks", () => {
  it("lists the names used, required unless every use has a default", () => {
    expect(envReferences({ a: "${B:-1} ${A}", b: ["{{env.C}}", "${B}", "$${D}", "{{secrets.E}}"], c: "${F:-x}" })).toEqual([
      { name: "A", required: true },
      { name: "B", required: true },
      { name: "C", required: true },
      { name: "F", required: false },
    ]);
  });

  it("tells placeholders apart from escapes and templates, and lists malformed ones with their path", () => {
    expect(hasEnvPlaceholder("${BASE_URL}/x")).toBe(true);
    expect(hasEnvPlaceholder("$${BASE_URL}/x {{host}}")).toBe(false);
    expect(envPlaceholderIssues({ targetUrl: "ok", scenarios: [{ url: "${bad name}" }] })).toEqual([
      { path: ["scenarios", 0, "url"], message: expect.stringMatching(/no environment variable/) },
    ]);
  });

  it("bounds a run's env", () => {
    expect(runEnvSchema.safeParse({ BASE_URL: "http://x" }).success).toBe(true);
    expect(runEnvSchema.safeParse({ base: "x" }).success).toBe(false);
    expect(runEnvSchema.safeParse({ A: "x\0" }).success).toBe(false);
    expect(runEnvSchema.safeParse({ A: "é".repeat(2049) }).success).toBe(false);
    expect(runEnvSchema.safeParse(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`V${i}`, ""]))).success).toBe(false);
  });
});
