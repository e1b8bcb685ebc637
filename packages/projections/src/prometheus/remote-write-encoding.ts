/// <reference path="./snappyjs.d.ts" />
import protobuf from "protobufjs";
import { compress } from "snappyjs";
import type { TimedSample } from "./sealed-seconds.ts";

/**
 * Prometheus remote write 1.0's WriteRequest (prometheus/prompb types.proto and remote.proto),
 * the fields it sends: defined by reflection, no generated code.
 */
const Label = new protobuf.Type("Label").add(new protobuf.Field("name", 1, "string")).add(new protobuf.Field("value", 2, "string"));
const SampleType = new protobuf.Type("Sample")
  .add(new protobuf.Field("value", 1, "double"))
  .add(new protobuf.Field("timestamp", 2, "int64"));
const TimeSeries = new protobuf.Type("TimeSeries")
  .add(new protobuf.Field("labels", 1, "Label", "repeated"))
  .add(new protobuf.Field("samples", 2, "Sample", "repeated"));
export const WriteRequest = new protobuf.Type("WriteRequest").add(new protobuf.Field("timeseries", 1, "TimeSeries", "repeated"));
new protobuf.Root().define("prometheus").add(Label).add(SampleType).add(TimeSeries).add(WriteRequest);

/** The headers every remote write request carries (the 1.0 protocol). */
export const REMOTE_WRITE_HEADERS = {
  "Content-Encoding": "snappy",
  "Content-Type": "application/x-protobuf",
  "X-Prometheus-Remote-Write-Version": "0.1.0",
} as const;

type WireSeries = { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] };

/**
 * Samples as WriteRequest time series: one per series (its samples in time order, as Prometheus
 * takes them), labels sorted by name with `__name__` among them, as the protocol asks.
 */
export function writeRequestOf(samples: readonly TimedSample[]): { timeseries: WireSeries[] } {
  const bySeries = new Map<string, WireSeries>();
  for (const s of samples) {
    const labels = Object.entries({ __name__: s.name, ...s.labels })
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => ({ name, value }));
    const key = labels.map((l) => `${l.name}\u0000${l.value}`).join("\u0001");
    let series = bySeries.get(key);
    if (!series) bySeries.set(key, (series = { labels, samples: [] }));
    series.samples.push({ value: s.value, timestamp: s.timestampMs });
  }
  for (const series of bySeries.values()) series.samples.sort((a, b) => a.timestamp - b.timestamp);
  return { timeseries: [...bySeries.values()] };
}

/** The body of a remote write request: the WriteRequest's protobuf, Snappy block-compressed. */
export function encodeWriteRequest(samples: readonly TimedSample[]): Uint8Array {
  return compress(WriteRequest.encode(WriteRequest.fromObject(writeRequestOf(samples))).finish());
}
