import { describe, expect, it } from "vitest";
import { mergeProtocols, protocolOf } from "../protocols.ts";
import { loadTestSpecSchema } from "../schemas/load-test.ts";
import { runTargetSchema } from "../schemas/run.ts";
import { compileRun } from "./compile-run.ts";
import { effectiveHttpOptions, isDefaultHttp } from "./http-options.ts";
import { runPlan } from "./normalize.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const spec = (over: object) => ({
  name: "t",
  targetUrl: "https://127.0.0.1:8443",
  defaultUsers: 2,
  defaultSpawnRate: 2,
  defaultDurationSec: 5,
  ...over,
});

describe("http options", () => {
  it("are taken on the test and on a request step, and refused when malformed", () => {
    const parsed = loadTestSpecSchema.parse(
      spec({
        http: { version: "2", tls: { ca: PEM } },
        scenarios: [{ name: "s", steps: [{ type: "request", url: "/a", http: { version: "1.1" } }] }],
      }),
    );
    expect(parsed.http).toEqual({ version: "2", tls: { ca: PEM } });
    const step = parsed.scenarios![0]!.steps[0]!;
    expect(step.type === "request" && step.http).toEqual({ version: "1.1" });

    const bad = (http: unknown) => loadTestSpecSchema.safeParse(spec({ http, requests: [{ method: "GET", path: "/" }] }));
    expect(bad({ version: "3" }).success).toBe(false);
    expect(bad({ tls: { ca: "not a pem" } }).success).toBe(false);
    expect(bad({ tls: { insecure: true } }).success).toBe(false);
  });

  it("go into the run's target and plan, so every worker's transport gets them", () => {
    const { target, parameters } = compileRun(
      loadTestSpecSchema.parse(
        spec({ http: { version: "2", tls: { insecureSkipVerify: true } }, requests: [{ method: "GET", path: "/" }] }),
      ),
    );
    expect(runTargetSchema.parse(target).http).toEqual({ version: "2", tls: { insecureSkipVerify: true } });
    expect(runPlan(target, parameters).http).toEqual({ version: "2", tls: { insecureSkipVerify: true } });
  });

  it("of a step replace the test's field by field; plain HTTP/1.1 with verified certificates is the default", () => {
    expect(effectiveHttpOptions({ version: "2", tls: { ca: PEM } }, { version: "1.1" })).toEqual({ version: "1.1", tls: { ca: PEM } });
    expect(effectiveHttpOptions(undefined, { version: "2" })).toEqual({ version: "2" });
    expect(effectiveHttpOptions({ version: "2" }, undefined)).toEqual({ version: "2" });
    expect(isDefaultHttp(undefined)).toBe(true);
    expect(isDefaultHttp({ version: "1.1", tls: {} })).toBe(true);
    expect(isDefaultHttp({ version: "2" })).toBe(false);
    expect(isDefaultHttp({ tls: { insecureSkipVerify: true } })).toBe(false);
  });
});

describe("mergeProtocols", () => {
  it("keeps one protocol, joins several sorted, and ignores the windows that say none", () => {
    expect(mergeProtocols(undefined, "h2")).toBe("h2");
    expect(mergeProtocols("h2", "h2")).toBe("h2");
    expect(mergeProtocols("h2", undefined)).toBe("h2");
    expect(mergeProtocols("http/1.1", "h2")).toBe("h2, http/1.1");
    expect(mergeProtocols("h2, http/1.1", "h2")).toBe("h2, http/1.1");
    expect(protocolOf([{ protocol: "h2" }, {}, { protocol: "http/1.1" }])).toBe("h2, http/1.1");
    expect(protocolOf([{}])).toBeUndefined();
  });
});
