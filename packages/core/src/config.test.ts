import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("has working defaults", () => {
    expect(loadConfig({})).toMatchObject({ natsUrl: "nats://127.0.0.1:4222", namespace: "ll", host: "127.0.0.1", streamReplicas: 1, worker: { maxUsers: 10_000, labels: {}, threads: undefined } });
  });
  it("reads labels and numbers from the environment", () => {
    const c = loadConfig({ LL_WORKER_LABELS: "region=eu, pool=big", LL_WORKER_MAX_USERS: "500", LL_METRICS_MAX_AGE_DAYS: "2", LL_WORKER_THREADS: "2" });
    expect(c.worker).toEqual({ maxUsers: 500, labels: { region: "eu", pool: "big" }, threads: 2 });
    expect(c.metricsMaxAgeMs).toBe(2 * 24 * 3600 * 1000);
  });
  it("names the variable that is wrong", () => {
    expect(() => loadConfig({ LL_STREAM_REPLICAS: "seven" })).toThrow(/LL_STREAM_REPLICAS/);
  });
});
