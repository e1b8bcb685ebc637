import { describe, expect, it } from "vitest";
import { SealedSeconds, type TimedSample } from "./sealed-seconds.ts";
import { request, window } from "./test-windows.ts";

const NOW = 1_800_000_000_000;
const S = NOW / 1000 - 20;
/** When the windows came: long enough before NOW for their seconds to have settled. */
const ARRIVED = NOW - 6000;

const at = (samples: readonly TimedSample[], name: string, second: number) =>
  samples.filter((s) => s.name === name && s.timestampMs === second * 1000).reduce((sum, s) => sum + s.value, 0);

describe("SealedSeconds", () => {
  it("makes a second's samples once it settled: the run's totals up to it, its users in it", () => {
    const seconds = new SealedSeconds(5);
    seconds.add(
      [
        window({ second: S, workerId: "w1", activeUsers: 2, requests: [request("home", [1000, 2000])] }),
        window({ second: S, workerId: "w2", activeUsers: 3, requests: [request("home", [1000])] }),
        window({ second: S + 1, workerId: "w1", activeUsers: 4, requests: [request("home", [1000])] }),
        window({ second: S + 18, workerId: "w1", requests: [request("home", [1000])] }),
      ],
      ARRIVED,
    );
    const sealed = seconds.seal(NOW);
    expect(at(sealed, "loadline_run_requests_total", S)).toBe(3);
    expect(at(sealed, "loadline_run_requests_total", S + 1)).toBe(4);
    expect(at(sealed, "loadline_run_vus", S)).toBe(5);
    expect(at(sealed, "loadline_run_vus", S + 1)).toBe(4);
    // S + 18 is 2 s old: not settled yet.
    expect(sealed.some((s) => s.timestampMs === (S + 18) * 1000)).toBe(false);
    expect(seconds.seal(NOW)).toEqual([]);
    expect(at(seconds.seal(NOW, true), "loadline_run_requests_total", S + 18)).toBe(5);
  });

  it("waits for an old second's windows to stop coming (a projector catching up), and seals in order", () => {
    const seconds = new SealedSeconds(5);
    seconds.add([window({ second: S, requests: [request("home", [1000])] }), window({ second: S + 1 })], NOW - 6000);
    seconds.add([window({ second: S, workerId: "w2", requests: [request("home", [1000])] })], NOW - 1000);
    expect(seconds.seal(NOW)).toEqual([]);
    const sealed = seconds.seal(NOW + 4000);
    expect(at(sealed, "loadline_run_requests_total", S)).toBe(2);
    expect(at(sealed, "loadline_run_requests_total", S + 1)).toBe(2);
  });

  it("counts a window that comes after its second was sealed at the next second sealed, never before it", () => {
    const seconds = new SealedSeconds(5);
    seconds.add([window({ second: S, requests: [request("home", [1000])] })], ARRIVED);
    expect(seconds.seal(NOW).length).toBeGreaterThan(0);
    seconds.add([window({ second: S, workerId: "late", activeUsers: 7, requests: [request("home", [1000, 1000])] })], NOW);
    const sealed = seconds.seal(NOW + 6000);
    expect(sealed.every((s) => s.timestampMs === (S + 1) * 1000)).toBe(true);
    expect(at(sealed, "loadline_run_requests_total", S + 1)).toBe(3);
    expect(at(sealed, "loadline_run_vus", S + 1)).toBe(0);
  });
});
