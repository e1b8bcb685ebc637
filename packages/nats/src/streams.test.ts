import { JetStreamApiError, type JetStreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { namespace } from "./namespace.ts";
import { ensureStreams, streamConfigs } from "./streams.ts";

/** The stream API of a server with no stream yet, whose `add` fails as `failures` says, in turn. */
function serverWithoutStreams(failures: (Error | undefined)[]): { jsm: JetStreamManager; added: string[]; tries: number } {
  const state = { added: [] as string[], tries: 0 };
  const streams = {
    info: () => Promise.reject(new Error("stream not found")),
    add: (config: { name: string }) => {
      state.tries++;
      const failure = failures.shift();
      if (failure) return Promise.reject(failure);
      state.added.push(config.name);
      return Promise.resolve({ config });
    },
  };
  return Object.assign(state, { jsm: { streams } as unknown as JetStreamManager });
}

const storeFailed = () => new JetStreamApiError({ code: 500, err_code: 10077, description: "error creating store for stream" });

describe("ensureStreams", () => {
  const ns = namespace("t1");
  const names = streamConfigs(ns).map((c) => c.name);

  it("adds a stream again when the server failed to create its store, and only then", async () => {
    const server = serverWithoutStreams([storeFailed(), storeFailed()]);
    await ensureStreams(server.jsm, ns);
    expect(server.added).toEqual(names);
    expect(server.tries).toBe(names.length + 2);
  });

  it("gives up after three tries, and at once on any other refusal", async () => {
    const failing = serverWithoutStreams([storeFailed(), storeFailed(), storeFailed()]);
    await expect(ensureStreams(failing.jsm, ns)).rejects.toThrow("error creating store for stream");
    expect(failing.tries).toBe(3);
    const refused = serverWithoutStreams([
      new JetStreamApiError({ code: 400, err_code: 10052, description: "replicas > 1 not supported" }),
    ]);
    await expect(ensureStreams(refused.jsm, ns)).rejects.toThrow("replicas > 1 not supported");
    expect(refused.tries).toBe(1);
  });
});
