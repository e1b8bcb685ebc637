import { setTimeout as delay } from "node:timers/promises";
import { createLogger, type Logger, loadAuthConfig } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";
import {
  describe as describeRequest,
  errorFields,
  type FuzzContext,
  judge,
  KNOWN_ROUTES,
  makeRequest,
  Rng,
  validSpecs,
} from "./hostile-fuzz.ts";
import { sendRaw } from "./raw-http.ts";

/**
 * Issue 16: a seeded fuzzer of every route the API serves, against the real stack. The routes
 * come from the app itself (a new route is fuzzed without a word here); hostile-fuzz.ts makes
 * the requests and judges the answers. Reproduce a failure with the seed it prints:
 * LL_FUZZ_SEED=<seed> npx vitest run packages/loadline/test/hostile-input-fuzz.test.ts
 * (LL_FUZZ_COUNT=<n> to send fewer or more).
 */

const SEED = Number(process.env.LL_FUZZ_SEED ?? 16_016);
const COUNT = Number(process.env.LL_FUZZ_COUNT ?? 10_000);
const CONCURRENCY = 16;
/** A bound on the whole loop, so a server that slows to a crawl fails the test instead of stalling CI. */
const LOOP_BUDGET_MS = 240_000;
const REQUEST_TIMEOUT_MS = 15_000;
const RUN_BUDGET = 3;

type Logged = { level: string; args: unknown[] };

/** A logger that keeps what is logged at error and fatal: a 500 the client never saw, a projection that failed, is logged there. */
function recording(log: Logger, into: Logged[]): Logger {
  return new Proxy(log, {
    get(target, prop, receiver) {
      if (prop === "error" || prop === "fatal")
        return (...args: unknown[]) => {
          into.push({ level: prop, args });
          return (target[prop] as (...a: unknown[]) => void)(...args);
        };
      if (prop === "child") return (...args: Parameters<Logger["child"]>) => recording(target.child(...args) as unknown as Logger, into);
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** A logged line as a failure shows it: its message, and its error's name, message and code. */
function describeLogged({ level, args }: Logged): string {
  const [first, ...rest] = args;
  const err = (first as { err?: Error & { code?: string } } | undefined)?.err;
  const what = err ? `${err.name}: ${err.message}${err.code ? ` (${err.code})` : ""}` : JSON.stringify(first)?.slice(0, 300);
  return `${level}: ${rest.map(String).join(" ")} ${what} ${err?.stack?.split("\n").slice(1, 4).join(" ") ?? ""}`;
}

let f: StackFixture;
const logged: Logged[] = [];
beforeAll(async () => {
  f = await startTestStack({
    log: recording(createLogger("fuzz", "silent"), logged),
    // Authentication on, as deployed, but no rate limit in reach: the fuzz sends hundreds of requests a second
    // with one key, and a 429 at the door would hide the routes it fuzzes (security.test.ts tests the limit).
    auth: loadAuthConfig({ LL_RATE_LIMIT_PER_SEC: "1000000", LL_RATE_LIMIT_BURST: "1000000" }),
  });
});
/** The stack's close, once started: the fuzz closes it itself to see that no connection holds it open. */
let closing: Promise<void> | undefined;
afterAll(() => closing ?? f?.close());

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { id: string; key?: string } }> {
  const res = await f.api.fetch(`${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { id: string; key?: string } };
}

describe("issue 16: a seeded fuzzer of every route", () => {
  it("finds every known route in the app's own list", () => {
    const found = f.stack.routes.map((r) => `${r.method} ${r.path}`);
    expect(found).toEqual(expect.arrayContaining([...KNOWN_ROUTES]));
  });

  it(`answers ${COUNT} hostile requests with no 5xx, each 4xx in the documented shape, and still serves after`, async () => {
    const port = Number(new URL(f.stack.apiUrl).port);
    // Another tenant's admin, made by the platform admin: one request in ten comes from it.
    const other = await post("/v1/api-keys", { name: "fuzz-other", role: "admin" }, { "x-tenant-id": "fuzz-other" });
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    const ctx: FuzzContext = {
      port,
      routes: f.stack.routes,
      demoUrl: f.stack.demoTarget!.url,
      maxBodyBytes: 1024 * 1024,
      pools: { loadTests: [], runs: [], runnable: [], deleted: [] },
      runBudget: { left: RUN_BUDGET },
      keys: { platform: f.stack.adminKey, otherTenant: other.body.key! },
    };
    // The specs every mutation starts from must be valid, or the fuzz would never get past the first refusal.
    for (const spec of validSpecs(ctx, new Rng(SEED))) {
      const created = await post("/v1/load-tests", spec);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      ctx.pools.loadTests.push(created.body.id);
    }
    const runnable = await post("/v1/load-tests", validSpecs(ctx, new Rng(SEED))[0]);
    ctx.pools.runnable.push(runnable.body.id);
    const gone = await post("/v1/load-tests", validSpecs(ctx, new Rng(SEED))[0]);
    expect((await f.api.fetch(`/v1/load-tests/${gone.body.id}`, { method: "DELETE" })).status).toBe(204);
    ctx.pools.deleted.push(gone.body.id);
    const firstRun = await post(`/v1/load-tests/${runnable.body.id}/runs`, {});
    expect(firstRun.status).toBe(201);
    ctx.pools.runs.push(firstRun.body.id);
    const runsStarted = [firstRun.body.id];

    const byStatus = new Map<string, number>();
    const byRoute = new Map<string, number>();
    const timing = new Map<string, [number, number]>();
    const fields = new Map<string, number>();
    const failures: string[] = [];
    let failed = 0;
    let next = 0;
    const started = Date.now();
    const cpuBefore = process.cpuUsage();
    const worker = async () => {
      while (next < COUNT && Date.now() - started < LOOP_BUDGET_MS) {
        const req = makeRequest(ctx, SEED, next++);
        const outcome = await sendRaw(port, {
          parts: req.parts,
          head: req.head,
          halfClose: req.halfClose,
          expectClose: req.closeExpected,
          timeoutMs: REQUEST_TIMEOUT_MS,
          closeWaitMs: 3_000,
        });
        const key = outcome.kind === "answer" ? String(outcome.answer.status) : outcome.kind;
        if (process.env.LL_FUZZ_DEBUG) {
          const fam = `${req.route.method} ${req.route.path} ${req.mutations.join("+")}`;
          const ms = outcome.kind === "answer" ? outcome.answer.ms : outcome.ms;
          const t = timing.get(fam) ?? [0, 0];
          timing.set(fam, [t[0] + 1, t[1] + ms]);
          if (outcome.kind === "answer" && outcome.answer.status >= 400) {
            const e = errorFields(outcome.answer);
            const where = `${outcome.answer.status} ${e?.code} ${(e?.field ?? "-").split(".").slice(0, 3).join(".").replace(/\.\d+/g, ".N")}`;
            fields.set(where, (fields.get(where) ?? 0) + 1);
          }
        }
        byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
        byRoute.set(`${req.route.method} ${req.route.path}`, (byRoute.get(`${req.route.method} ${req.route.path}`) ?? 0) + 1);
        const problems = judge(req, outcome);
        if (problems.length > 0) {
          failed++;
          if (failures.length < (process.env.LL_FUZZ_DEBUG ? 60 : 10)) {
            const got =
              outcome.kind === "answer"
                ? `${outcome.answer.status} ${outcome.answer.body.subarray(0, 400).toString("utf8")}`
                : outcome.kind;
            failures.push(`${problems.join("; ")}\n  ${describeRequest(req, SEED).replaceAll("\n", "\n  ")}\n  answered: ${got}`);
          }
        }
        if (outcome.kind !== "answer" || outcome.answer.status !== 201) continue;
        // What the fuzz created is fuzzed in turn: its ids go to the pools.
        const location = outcome.answer.headers.get("location")?.[0] ?? "";
        const created = /^\/v1\/(load-tests|runs)\/([A-Za-z0-9_-]+)$/.exec(location);
        if (created?.[1] === "load-tests") ctx.pools.loadTests.push(created[2]!);
        if (created?.[1] === "runs") {
          ctx.pools.runs.push(created[2]!);
          runsStarted.push(created[2]!);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = Date.now() - started;
    const cpu = process.cpuUsage(cpuBefore);

    const statuses = [...byStatus].sort(([a], [b]) => a.localeCompare(b));
    console.log(
      [
        `hostile-input fuzz: seed ${SEED}, ${next} requests in ${(elapsed / 1000).toFixed(1)} s (${Math.round((next * 1000) / elapsed)}/s, ${CONCURRENCY} at a time), ${runsStarted.length} runs started, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU in this process`,
        `  by status: ${statuses.map(([s, n]) => `${s}: ${n}`).join(", ")}`,
        `  by route: ${[...byRoute].map(([r, n]) => `${r} ${n}`).join(", ")}`,
        `  failed: ${failed}`,
      ].join("\n"),
    );
    if (process.env.LL_FUZZ_DEBUG) {
      // Where the time went (route and mutations), and what the refusals named.
      const slowest = [...timing].sort((a, b) => b[1][1] - a[1][1]).slice(0, 40);
      console.log(slowest.map(([k, [n, ms]]) => `${k}: ${n} × ${Math.round(ms / n)} ms`).join("\n"));
      console.log(
        [...fields]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${n} ${k}`)
          .join("\n"),
      );
    }
    if (failures.length > 0) console.log(`first failures (of ${failed}):\n${failures.join("\n\n")}`);

    expect(next, `only ${next} requests in ${LOOP_BUDGET_MS} ms`).toBeGreaterThanOrEqual(COUNT);
    expect(failures).toEqual([]);
    // The fuzz reached every route and every kind of answer: had it degenerated (all refused at the door), this fails.
    // Each route, picked at random, gets at least a third of an even share (the share shrinks as routes are added).
    const floor = COUNT / f.stack.routes.length / 3;
    for (const r of f.stack.routes) expect(byRoute.get(`${r.method} ${r.path}`) ?? 0, `${r.method} ${r.path}`).toBeGreaterThan(floor);
    for (const s of ["200", "201", "204", "400", "401", "404", "405", "412", "413", "415", "417", "421", "431"])
      expect(byStatus.get(s) ?? 0, `answers ${s}`).toBeGreaterThan(0);

    // Afterwards the product still serves: runs end, the read side catches up with nothing dead-lettered, a round trip works.
    for (const id of runsStarted) await f.api.waitForEnd(id, 30_000);
    await f.api.waitForProjections(30_000);
    const projections = (await (await f.api.fetch(`/v1/projections`)).json()) as {
      items: { deadLetters: number; state: string }[];
    };
    expect(projections.items.map((p) => [p.deadLetters, p.state])).toEqual(projections.items.map(() => [0, "ok"]));
    expect((await f.api.fetch(`/readyz`)).status).toBe(200);
    const fresh = await post("/v1/load-tests", { ...validSpecs(ctx, new Rng(SEED + 1))[1], name: "after the fuzz" });
    expect(fresh.status).toBe(201);
    const read = await f.api.fetch(`/v1/load-tests/${fresh.body.id}`);
    expect([read.status, ((await read.json()) as { name: string }).name]).toEqual([200, "after the fuzz"]);
    expect(logged.map(describeLogged)).toEqual([]);

    // No connection is left open by the server: its close waits for every one, so a socket left half-open holds it for ever.
    closing = f.close();
    expect(await Promise.race([closing.then(() => "closed"), delay(15_000, "a connection still holds the server open")])).toBe("closed");
  }, 240_000);
});
