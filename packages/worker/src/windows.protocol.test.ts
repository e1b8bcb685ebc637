import { metricWindowSchema, type RequestWindow } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { mergeWindows } from "./window-merge.ts";
import { type RequestSample, WindowAccumulator } from "./windows.ts";

const sample = (name: string, protocol: string | undefined): RequestSample => ({
  name,
  method: "GET",
  status: protocol ? 200 : null,
  failure: protocol ? null : "tls",
  bytesIn: 2,
  bytesOut: 0,
  checksPassed: 0,
  checksFailed: 0,
  protocol,
});

const byName = (requests: readonly RequestWindow[]) => Object.fromEntries(requests.map((r) => [r.name, r.protocol]));

describe("the protocol in the windows", () => {
  it("is said per request name, for the responses that came, and merges across threads", () => {
    const a = new WindowAccumulator("r", "w", 100);
    a.record(100, sample("h2", "h2"), 1000, 1000);
    a.record(100, sample("h2", undefined), 1000, 1000);
    a.record(100, sample("plain", "http/1.1"), 1000, 1000);
    a.record(100, sample("failed", undefined), 1000, 1000);
    const [window] = a.closeBefore(101);
    expect(metricWindowSchema.parse(window).requests).toHaveLength(3);
    expect(byName(window!.requests)).toEqual({ h2: "h2", plain: "http/1.1", failed: undefined });
    expect("protocol" in window!.requests.find((r) => r.name === "failed")!).toBe(false);

    const b = new WindowAccumulator("r", "w", 100);
    b.record(100, sample("h2", "h2"), 1000, 1000);
    b.record(100, sample("plain", "h2"), 1000, 1000);
    expect(byName(mergeWindows([window!, ...b.closeBefore(101)]).requests)).toEqual({
      h2: "h2",
      plain: "h2, http/1.1",
      failed: undefined,
    });
  });
});
