import { uncompress } from "snappyjs";
import { describe, expect, it } from "vitest";
import { encodeWriteRequest, WriteRequest } from "./remote-write-encoding.ts";
import type { TimedSample } from "./sealed-seconds.ts";

const sample = (value: number, timestampMs: number, labels: Record<string, string> = { run_id: "r1", tenant: "acme" }): TimedSample => ({
  family: "loadline_run_requests_total",
  name: "loadline_run_requests_total",
  labels,
  value,
  timestampMs,
});

describe("encodeWriteRequest", () => {
  it("writes a snappy-compressed WriteRequest: a series per label set, labels sorted with __name__, samples in time order", () => {
    const body = encodeWriteRequest([sample(5, 2000), sample(3, 1000), sample(1, 1000, { tenant: "acme", run_id: "r2" })]);
    const decoded = WriteRequest.toObject(WriteRequest.decode(uncompress(body)), { longs: Number }) as {
      timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
    };
    expect(decoded.timeseries).toEqual([
      {
        labels: [
          { name: "__name__", value: "loadline_run_requests_total" },
          { name: "run_id", value: "r1" },
          { name: "tenant", value: "acme" },
        ],
        samples: [
          { value: 3, timestamp: 1000 },
          { value: 5, timestamp: 2000 },
        ],
      },
      {
        labels: [
          { name: "__name__", value: "loadline_run_requests_total" },
          { name: "run_id", value: "r2" },
          { name: "tenant", value: "acme" },
        ],
        samples: [{ value: 1, timestamp: 1000 }],
      },
    ]);
  });
});
