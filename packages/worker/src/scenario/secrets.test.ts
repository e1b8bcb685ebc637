import { describe, expect, it } from "vitest";
import { compile, runIteration } from "./test-scenario.ts";
import { useTestServer } from "./test-server.ts";
import type { OutgoingRequest, Transport } from "./transport.ts";
import { compileUrl, parseTarget, resolveDynamicUrl } from "./url.ts";
import { compileText, VariableTable } from "./variables.ts";

const { server, transport } = useTestServer();

const SECRETS = { TOKEN: "s3cr3t-t0ken", PW: 'p"w&d é', KEY: "k/e y?", USER: "ann" };

/** A transport that answers 200 and keeps what it was asked to send. */
function recording(): { sent: OutgoingRequest[]; transport: Transport } {
  const sent: OutgoingRequest[] = [];
  return {
    sent,
    transport: {
      send: async (req) => {
        sent.push(req);
        return { status: 200, headers: {}, body: "" };
      },
    },
  };
}

/** What `f` threw, as a message. */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("did not throw");
}

describe("{{secrets.NAME}} in a VU's requests", () => {
  it("renders a secret in headers, path, query and JSON, form and raw bodies, encoded for each", async () => {
    const compiled = compile(
      {
        steps: [
          {
            type: "request",
            name: "json",
            method: "POST",
            url: "/echo?who={{secrets.USER}}",
            query: { key: "{{secrets.KEY}}", vu: "{{__vu}}" },
            headers: { Authorization: "Bearer {{ secrets.TOKEN }}" },
            body: { json: { pw: "{{secrets.PW}}", user: "{{secrets.USER}}-{{__vu}}" } },
          },
          { type: "request", method: "POST", url: "/echo", body: { form: { pw: "{{secrets.PW}}" } } },
          { type: "request", method: "POST", url: "/echo", body: { raw: "pw={{secrets.PW}}" } },
        ],
      },
      server.url,
      { secrets: SECRETS },
    );
    const session = compiled.createSession(3);
    const records = await runIteration(session, transport);
    expect(records.map((r) => [r.name, r.status])).toEqual([
      ["json", 200],
      ["/echo", 200],
      ["/echo", 200],
    ]);
    const [json, form, raw] = server.seen.slice(-3);
    expect(json!.headers.authorization).toBe("Bearer s3cr3t-t0ken");
    expect(json!.url).toBe(`/echo?who=ann&key=${encodeURIComponent(SECRETS.KEY)}&vu=3`);
    expect(JSON.parse(json!.body)).toEqual({ pw: SECRETS.PW, user: "ann-3" });
    expect(form!.body).toBe("pw=p%22w%26d+%C3%A9");
    expect(raw!.body).toBe(`pw=${SECRETS.PW}`);
    // Nothing of the secrets sits in the session's variables, nor in the stats' names.
    expect(JSON.stringify(session.variables())).not.toMatch(/s3cr3t|ann|p\\"w/);
    expect(Object.keys(session.variables()).some((v) => v.startsWith("secrets."))).toBe(false);
  });

  it("takes secrets in at compile time: a step whose only template is a secret is built once", async () => {
    const { sent, transport: fake } = recording();
    const session = compile(
      { steps: [{ type: "request", url: "/me", headers: { authorization: "Bearer {{secrets.TOKEN}}" } }] },
      server.url,
      { secrets: SECRETS },
    ).createSession(0);
    await runIteration(session, fake);
    await runIteration(session, fake);
    expect(sent[0]).toBe(sent[1]);
    expect(sent[0]!.headers).toEqual({ authorization: "Bearer s3cr3t-t0ken" });
  });

  it("renders a url whose origin is a secret", async () => {
    const session = compile(
      { steps: [{ type: "request", url: "{{secrets.BASE}}/me", headers: { authorization: "Bearer tok-{{secrets.USER}}" } }] },
      server.url,
      {
        secrets: { BASE: server.url, USER: "bo" },
      },
    ).createSession(0);
    expect(await runIteration(session, transport)).toMatchObject([{ name: "{{secrets.BASE}}/me", status: 200 }]);
  });

  it("does not compile a reference to a secret the run was not given, naming it and no value", () => {
    const message = thrown(() =>
      compile(
        { steps: [{ type: "request", url: "/me", headers: { "x-a": "{{secrets.TOKEN}}", "x-b": "{{secrets.OTHER}}" } }] },
        server.url,
        {
          secrets: SECRETS,
        },
      ),
    );
    expect(message).toBe("the scenario refers to secret OTHER, which the run was not given");
    // Nor a secret under a name the prototype has.
    expect(thrown(() => compile({ steps: [{ type: "request", url: "/{{secrets.constructor}}" }] }, server.url, { secrets: {} }))).toMatch(
      /secret constructor, which the run was not given/,
    );
    // Without secrets at all (a check of the scenario only) it compiles, rendering them empty.
    expect(() => compile({ steps: [{ type: "request", url: "/{{secrets.X}}" }] }, server.url)).not.toThrow();
  });

  it("lets nothing write a secret: not extract, scenario variables or data columns", () => {
    const read = { type: "request", url: "/me", headers: { authorization: "{{secrets.TOKEN}}" } };
    const writes = [
      { steps: [{ type: "request", url: "/login", extract: [{ type: "jsonPath", var: "secrets.TOKEN", path: "$.token" }] }, read] },
      { variables: { "secrets.TOKEN": "x" }, steps: [read] },
      { data: { rows: [{ "secrets.TOKEN": "x" }] }, steps: [read] },
    ];
    for (const scenario of writes)
      expect(thrown(() => compile(scenario, server.url, { secrets: SECRETS }))).toBe(
        "secrets.TOKEN is a secret: a scenario reads it, it cannot write it",
      );
    expect(() => new VariableTable().slot("secrets.X")).toThrow(/cannot write it/);
    expect(thrown(() => compileText("{{secrets.a-b}}", new VariableTable({})))).toMatch(/is no secret/);
  });

  it("says nothing of a rendered url that is no http(s) URL: it may hold a secret", async () => {
    const target = parseTarget(server.url);
    const plan = compileUrl(
      "{{secrets.BASE}}/x",
      undefined,
      target,
      new VariableTable({ secrets: { BASE: "ftp://user:hunter2@h" } }),
      new Set(),
    );
    expect(plan.origin).toBeNull();
    if (plan.origin !== null) return;
    expect(thrown(() => resolveDynamicUrl(plan, []))).toBe("the url rendered to no http(s) URL");
    const bad = compileUrl("{{secrets.BASE}}/x", undefined, target, new VariableTable({ secrets: { BASE: "http://[hunter2" } }), new Set());
    if (bad.origin === null) expect(thrown(() => resolveDynamicUrl(bad, []))).toBe("the url rendered to no URL");
    // In a session, such a request counts as a failure to connect, and nothing is thrown.
    const session = compile({ steps: [{ type: "request", url: "{{secrets.BASE}}/x" }] }, server.url, {
      secrets: { BASE: "ftp://hunter2" },
    }).createSession(0);
    expect(await runIteration(session, transport)).toMatchObject([{ name: "{{secrets.BASE}}/x", failure: "connect" }]);
  });
});
