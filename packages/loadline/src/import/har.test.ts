import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DraftRequest } from "./draft.ts";
import { importHar, thinkTimeMs } from "./har.ts";
import { schemaIssues } from "./validate.ts";
import { toYaml } from "./yaml-writer.ts";

/** Recorded by Chromium: test/import-har.test.ts records it again (LL_SAVE_HAR=path writes a copy) and runs what is imported from it. */
const recording = readFileSync(new URL("./fixtures/chromium-shop.har", import.meta.url), "utf8");
const requests = (r: ReturnType<typeof importHar>) => r.test.scenarios[0]!.steps.filter((s): s is DraftRequest => s.type === "request");

type Entry = { url: string; method?: string; at: number; headers?: Record<string, string>; response?: object; status?: number };
/** A HAR of the entries given, `at` milliseconds into the recording, each taking 10 ms. */
function har(entries: Entry[]): string {
  return JSON.stringify({
    log: {
      version: "1.2",
      creator: { name: "test" },
      entries: entries.map((e) => ({
        startedDateTime: new Date(Date.UTC(2026, 0, 1) + e.at).toISOString(),
        time: 10,
        request: {
          method: e.method ?? "GET",
          url: e.url,
          headers: Object.entries(e.headers ?? {}).map(([name, value]) => ({ name, value })),
        },
        response: {
          status: e.status ?? 200,
          content: e.response ? { mimeType: "application/json", text: JSON.stringify(e.response) } : { mimeType: "text/html" },
        },
      })),
    },
  });
}

describe("importing a HAR recording", () => {
  it("imports Chromium's recording: the page's calls as paths on the busiest origin, the token and the id correlated", () => {
    const result = importHar(recording, { fileName: "chromium-shop.har" });
    expect(result.test.targetUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(requests(result).map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET /",
      "POST /api/login",
      "GET /api/me",
      "POST /api/orders",
      "GET /api/orders/{{id}}",
    ]);
    expect(result.notes.imported.join("\n")).toContain("{{token}}: extracted from POST /api/login ($.token)");
    expect(schemaIssues(toYaml(result))).toEqual([]);
  });

  it("keeps other hosts when asked, as absolute URLs, and headers when asked", () => {
    const result = importHar(recording, { includeHosts: ["127.0.0.1"], keepHeaders: ["user-agent"] });
    const all = requests(result);
    expect(all.at(-1)!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/collect$/);
    expect(all[0]!.headers?.["user-agent"]).toMatch(/Chrome/);
  });

  it("makes think times of the gaps between requests: rounded to 100 ms, capped, none under 100 ms", () => {
    const at = (ms: number) => ({ startedDateTime: new Date(Date.UTC(2026, 0, 1) + ms).toISOString(), time: 10 });
    expect(thinkTimeMs(at(0), at(60), 5000)).toBe(0);
    expect(thinkTimeMs(at(0), at(1_260), 5000)).toBe(1_300);
    expect(thinkTimeMs(at(0), at(60_000), 5000)).toBe(5000);
  });

  it("sends a credential it cannot correlate as a tenant secret, and maps the host onto --target-url", () => {
    const result = importHar(
      har([
        { url: "https://app.test/api/a", at: 0, headers: { Authorization: "Bearer static-token-1", "X-Api-Key": "k-123", Cookie: "s=1" } },
        { url: "https://cdn.test/x", at: 5, response: { a: 1 } },
        { url: "https://app.test/api/b", method: "OPTIONS", at: 20, headers: { "Access-Control-Request-Method": "PUT" }, status: 204 },
      ]),
      { targetUrl: "http://127.0.0.1:9000/" },
    );
    expect(result.test.targetUrl).toBe("http://127.0.0.1:9000");
    expect(requests(result)[0]!.headers).toEqual({
      authorization: "Bearer {{secrets.BEARER_TOKEN}}",
      "x-api-key": "{{secrets.X_API_KEY}}",
    });
    expect(result.notes.secrets).toEqual(["BEARER_TOKEN", "X_API_KEY"]);
    expect(requests(result)).toHaveLength(1);
    expect(result.notes.leftOut).toContain("1 CORS preflight (OPTIONS asked by the browser)");
    expect(schemaIssues(toYaml(result))).toEqual([]);
  });

  it("refuses what is not a recording, or holds no page request", () => {
    expect(() => importHar("{}")).toThrow(/not a HAR recording: log/);
    expect(() => importHar(har([{ url: "https://app.test/a.png", at: 0 }]))).toThrow(/no request of a page/);
  });
});
