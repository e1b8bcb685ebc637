import { describe, expect, it } from "vitest";
import { compile, runIteration } from "./test-scenario.ts";
import { type SeenRequest, useTestServer } from "./test-server.ts";
import type { OutgoingRequest, Transport } from "./transport.ts";

const { server, transport } = useTestServer();
const lastSeen = (): SeenRequest => server.seen.at(-1)!;
const echoed = (n = 1): SeenRequest[] => server.seen.slice(-n);

describe("VuSession: a login flow", () => {
  const scenario = () =>
    compile(
      {
        variables: { user: "ann" },
        steps: [
          {
            type: "request",
            name: "login",
            method: "POST",
            url: "/login",
            body: { json: { user: "{{user}}", pass: "secret" } },
            extract: [{ type: "jsonPath", var: "token", path: "$.token" }],
          },
          {
            type: "request",
            url: "/me",
            headers: { Authorization: "Bearer {{token}}" },
            checks: [
              { type: "status", in: [200] },
              { type: "jsonPath", path: "$.user", equals: "ann" },
            ],
          },
        ],
      },
      server.url,
    );

  it("sends the token extracted from the login response as a bearer token", async () => {
    const session = scenario().createSession(0);
    const records = await runIteration(session, transport);
    expect(lastSeen().headers.authorization).toBe("Bearer tok-ann");
    expect(records).toMatchObject([
      { name: "login", method: "POST", status: 200, failure: null, checksPassed: 1, checksFailed: 0, firstOfIteration: true },
      { name: "/me", method: "GET", status: 200, failure: null, checksPassed: 2, checksFailed: 0, firstOfIteration: false },
    ]);
    for (const r of records) {
      expect(r.endedAt).toBeGreaterThanOrEqual(r.sentAt);
      expect(r.bytesIn).toBeGreaterThan(0);
    }
    expect(records[0]!.bytesOut).toBe(Buffer.byteLength(JSON.stringify({ user: "ann", pass: "secret" })));
    expect(records[1]!.bytesOut).toBe(0);
    expect(records[1]!.sentAt).toBeGreaterThanOrEqual(records[0]!.endedAt);
    expect(session.variables()).toMatchObject({ token: "tok-ann", user: "ann" });
    expect(session.iterations).toBe(1);
  });

  it("gets a 401 (4xx) without the token", async () => {
    const records = await runIteration(compile({ steps: [{ type: "request", url: "/me" }] }, server.url).createSession(0), transport);
    expect(records).toMatchObject([{ status: 401, failure: "4xx" }]);
  });
});

describe("VuSession: cookies", () => {
  it("sends back a cookie set by an earlier response, per VU", async () => {
    const compiled = compile(
      {
        steps: [
          { type: "request", url: "/set-cookie" },
          { type: "request", url: "/needs-cookie", headers: { Cookie: "mine=1" } },
        ],
      },
      server.url,
    );
    const records = await runIteration(compiled.createSession(0), transport);
    expect(records.map((r) => r.status)).toEqual([200, 200]);
    // The step's own cookie header first, then the jar's; the cookie for another domain was refused.
    expect(lastSeen().headers.cookie).toBe("mine=1; sid=abc123; theme=dark");

    const other = compile({ steps: [{ type: "request", url: "/needs-cookie" }] }, server.url).createSession(1);
    expect(await runIteration(other, transport)).toMatchObject([{ status: 403, failure: "4xx" }]);
    expect(lastSeen().headers.cookie).toBeUndefined();
  });
});

describe("VuSession: extraction", () => {
  it("counts an extraction that finds nothing as a failed check, keeps the old value and goes on", async () => {
    const session = compile(
      {
        variables: { id: "old" },
        steps: [
          {
            type: "request",
            url: "/echo?id=5",
            extract: [
              { type: "jsonPath", var: "id", path: "$.missing" },
              { type: "regex", var: "method", pattern: '"method":"(\\w+)"' },
              { type: "header", var: "where", name: "Location" },
              { type: "regex", var: "nothing", pattern: "zzz(\\d)" },
            ],
          },
          { type: "request", url: "/echo", query: { id: "{{id}}", m: "{{method}}", w: "{{where}}", n: "{{nothing}}" } },
        ],
      },
      server.url,
    ).createSession(0);
    const records = await runIteration(session, transport);
    expect(records).toMatchObject([
      { status: 200, failure: "check", checksPassed: 2, checksFailed: 2 },
      { status: 200, failure: null, checksPassed: 0, checksFailed: 0 },
    ]);
    expect(lastSeen().url).toBe("/echo?id=old&m=GET&w=%2Forders%2F5&n=");
  });
});

describe("VuSession: requests rendered", () => {
  const vars = { variables: { q: "red shoes", name: 'Ann "A"', pw: "p&ss w" } };

  it("renders the url and query, on the target's own path prefix", async () => {
    const compiled = compile(
      { ...vars, steps: [{ type: "request", url: "/echo?page=1", query: { q: "{{q}}", vu: "{{__vu}}" } }] },
      `${server.url}/api/`,
    );
    await runIteration(compiled.createSession(3), transport);
    expect(lastSeen().url).toBe("/api/echo?page=1&q=red%20shoes&vu=3");
  });

  it("uses an absolute URL as is", async () => {
    const compiled = compile({ steps: [{ type: "request", url: `${server.url}/echo?abs=1` }] }, "http://127.0.0.1:9/unused");
    expect(await runIteration(compiled.createSession(0), transport)).toMatchObject([{ status: 200 }]);
    expect(lastSeen().url).toBe("/echo?abs=1");
  });

  it("renders json, form and raw bodies with their content types", async () => {
    const compiled = compile(
      {
        ...vars,
        steps: [
          { type: "request", method: "POST", url: "/echo", body: { json: { name: "{{name}}", tags: ["{{q}}", 1] } } },
          { type: "request", method: "PUT", url: "/echo", body: { form: { name: "{{name}}", pw: "{{pw}}" } } },
          { type: "request", method: "PATCH", url: "/echo", body: { raw: "<q>{{q}}</q>", contentType: "application/xml" } },
          { type: "request", method: "POST", url: "/echo", headers: { "Content-Type": "text/plain" }, body: { json: { a: 1 } } },
        ],
      },
      server.url,
    );
    const records = await runIteration(compiled.createSession(0), transport);
    const [json, form, raw, own] = echoed(4);
    expect(JSON.parse(json!.body)).toEqual({ name: 'Ann "A"', tags: ["red shoes", 1] });
    expect(json!.headers["content-type"]).toBe("application/json");
    expect(Object.fromEntries(new URLSearchParams(form!.body))).toEqual({ name: 'Ann "A"', pw: "p&ss w" });
    expect(form!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect([raw!.method, raw!.body, raw!.headers["content-type"]]).toEqual(["PATCH", "<q>red shoes</q>", "application/xml"]);
    expect(own!.headers["content-type"]).toBe("text/plain");
    expect(records.map((r) => r.bytesOut)).toEqual([json, form, raw, own].map((s) => Buffer.byteLength(s!.body)));
  });

  it("renders the built-ins", async () => {
    const compiled = compile(
      {
        name: "shop",
        steps: [
          {
            type: "request",
            url: "/echo",
            query: {
              vu: "{{__vu}}",
              it: "{{__iteration}}",
              sc: "{{__scenario}}",
              ts: "{{__timestamp}}",
              id: "{{__uuid}}",
              w: "{{__worker}}",
            },
          },
        ],
      },
      server.url,
      { workerId: "w-host1-3fa2c1" },
    );
    const session = compiled.createSession(7);
    const before = Date.now();
    await runIteration(session, transport);
    const first = new URL(lastSeen().url, "http://x").searchParams;
    await runIteration(session, transport);
    const second = new URL(lastSeen().url, "http://x").searchParams;
    expect([first.get("vu"), first.get("it"), first.get("sc"), first.get("w")]).toEqual(["7", "0", "shop", "w-host1-3fa2c1"]);
    expect(second.get("w")).toBe("w-host1-3fa2c1");
    expect(second.get("it")).toBe("1");
    expect(Number(first.get("ts"))).toBeGreaterThanOrEqual(before);
    expect(first.get("id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.get("id")).not.toBe(first.get("id"));
    expect(compiled.name).toBe("shop");
  });

  it("sends one prebuilt request again and again when nothing in it renders, marked so the transport keeps what it makes of it", async () => {
    const sent: OutgoingRequest[] = [];
    const fake: Transport = {
      send: async (req) => {
        sent.push(req);
        return { status: 200, headers: {}, body: "" };
      },
    };
    const session = compile({ steps: [{ type: "request", url: "/plain", headers: { accept: "*/*" } }] }, server.url).createSession(0);
    await runIteration(session, fake);
    await runIteration(session, fake);
    expect(sent[0]).toBe(sent[1]);
    expect(sent[0]).toEqual({
      origin: server.url,
      path: "/plain",
      method: "GET",
      headers: { accept: "*/*" },
      timeoutMs: 60_000,
      fixed: true,
    });
  });
});

describe("VuSession: data", () => {
  const rows = [{ user: "a" }, { user: "b" }, { user: "c" }];
  const dataScenario = (mode: string, random?: () => number) =>
    compile(
      { data: { mode, rows }, steps: [{ type: "request", url: "/echo", query: { u: "{{user}}", vu: "{{__vu}}" } }] },
      server.url,
      random ? { random } : {},
    );
  const seenUser = () => new URL(lastSeen().url, "http://x").searchParams.get("u");

  /** Runs VUs' iterations one after another, in the order given; returns the row each saw. */
  async function feed(compiled: ReturnType<typeof dataScenario>, vuOrder: number[]): Promise<string[]> {
    const sessions = new Map<number, ReturnType<typeof compiled.createSession>>();
    const users: string[] = [];
    for (const vu of vuOrder) {
      if (!sessions.has(vu)) sessions.set(vu, compiled.createSession(vu));
      await runIteration(sessions.get(vu)!, transport);
      users.push(seenUser()!);
    }
    return users;
  }

  it("sequential: the VUs share one cursor, a row per iteration, wrapping", async () => {
    const compiled = dataScenario("sequential");
    expect(compiled.data?.mode).toBe("sequential");
    expect(await feed(compiled, [0, 1, 0, 1, 0])).toEqual(["a", "b", "c", "a", "b"]);
  });

  it("random: a row per iteration, as the random source picks", async () => {
    const draws = [0.9, 0.1, 0.5, 0.1];
    expect(
      await feed(
        dataScenario("random", () => draws.shift() ?? 0),
        [0, 0, 1, 1],
      ),
    ).toEqual(["c", "a", "b", "a"]);
  });

  it("unique: each VU keeps its own row for life, wrapping with more VUs than rows", async () => {
    expect(await feed(dataScenario("unique"), [0, 1, 2, 0, 1, 3, 3])).toEqual(["a", "b", "c", "a", "b", "a", "a"]);
  });
});
