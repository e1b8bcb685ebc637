import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("has working defaults", () => {
    expect(loadConfig({})).toMatchObject({
      natsUrl: "nats://127.0.0.1:4222",
      namespace: "ll",
      host: "127.0.0.1",
      streamReplicas: "auto",
      worker: { id: undefined, maxVUs: 10_000, maxArrivalRate: 20_000, labels: {}, threads: undefined },
    });
  });
  it("reads labels and numbers from the environment", () => {
    const c = loadConfig({
      LL_WORKER_LABELS: "region=eu, pool=big",
      LL_WORKER_MAX_VUS: "500",
      LL_WORKER_MAX_RATE: "250",
      LL_WORKER_ID: "w-eu-1",
      LL_METRICS_MAX_AGE_DAYS: "2",
      LL_WORKER_THREADS: "2",
      LL_STREAM_REPLICAS: "3",
    });
    expect(c.worker).toEqual({
      id: "w-eu-1",
      maxVUs: 500,
      maxArrivalRate: 250,
      labels: { region: "eu", pool: "big" },
      threads: 2,
      engines: [],
    });
    expect(c.metricsMaxAgeMs).toBe(2 * 24 * 3600 * 1000);
    expect(c.streamReplicas).toBe(3);
  });
  it("reads the input limits: the body size and the Host allow-list", () => {
    expect(loadConfig({})).toMatchObject({ maxBodyBytes: 1024 * 1024, allowedHosts: undefined });
    const c = loadConfig({ LL_MAX_BODY_BYTES: "4194304", LL_ALLOWED_HOSTS: "api.example.com, loadline:8443,," });
    expect([c.maxBodyBytes, c.allowedHosts]).toEqual([4 * 1024 * 1024, ["api.example.com", "loadline:8443"]]);
    expect(() => loadConfig({ LL_MAX_BODY_BYTES: "10" })).toThrow(/LL_MAX_BODY_BYTES/);
  });
  it("reads the engines a worker runs besides its own: none unless named, an unknown one refused", () => {
    expect(loadConfig({}).worker.engines).toEqual([]);
    expect(loadConfig({ LL_WORKER_ENGINES: " locust ," }).worker.engines).toEqual(["locust"]);
    expect(() => loadConfig({ LL_WORKER_ENGINES: "locust,jmeter" })).toThrow(/LL_WORKER_ENGINES/);
  });
  it("names the variable that is wrong", () => {
    expect(() => loadConfig({ LL_STREAM_REPLICAS: "seven" })).toThrow(/LL_STREAM_REPLICAS/);
  });
});
