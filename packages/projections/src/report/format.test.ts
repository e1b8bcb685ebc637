import { describe, expect, it } from "vitest";
import { escapeXml, formatElapsed, formatMs, formatObserved, formatPassRate, formatPercent } from "./format.ts";

describe("report formatting", () => {
  it("shows a threshold's observed value in the unit its expression compares", () => {
    expect(formatObserved("latency{name:login}", "p(95) < 300", 412.25)).toBe("412 ms");
    expect(formatObserved("service_time", "max < 2000", 12.345)).toBe("12.3 ms");
    expect(formatObserved("error_rate{name:error}", "rate < 0.05", 0.228792)).toBe("0.2288 (22.9%)");
    expect(formatObserved("checks", "rate > 0.99", 0.995)).toBe("0.995 (99.5%)");
    expect(formatObserved("requests", "count > 10", 23_456)).toBe("23,456");
    expect(formatObserved("requests", "rate > 10", 389.3333)).toBe("389");
    expect(formatObserved("rps", "value > 1", 12.345678)).toBe("12.35");
    expect(formatObserved("latency", "p(95) < 300", null)).toBe("nothing measured");
  });

  it("never rounds a pass rate up to 100% while something failed", () => {
    expect([formatPassRate(1), formatPassRate(0.995), formatPassRate(0.99995), formatPassRate(0.77)]).toEqual([
      "100%",
      "99.5%",
      "99.995%",
      "77%",
    ]);
    expect([formatPercent(0), formatPercent(0.0004), formatPercent(0.012), formatPercent(0.5)]).toEqual(["0%", "0.04%", "1.2%", "50%"]);
  });

  it("writes times and escapes text", () => {
    expect([formatMs(0.4211), formatMs(12.34), formatMs(1234), formatMs(12_345)]).toEqual(["0.42 ms", "12.3 ms", "1,234 ms", "12.3 s"]);
    expect([formatElapsed(45), formatElapsed(720), formatElapsed(3600)]).toEqual(["0:45", "12:00", "1:00:00"]);
    expect(escapeXml(`<a href="x">&'\u0000\ud800`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  });
});
