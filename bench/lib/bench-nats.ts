// A namespace of its own on NATS for one bench section: connected, and its streams and buckets
// deleted when the section's cleanups run.
import { randomBytes } from "node:crypto";
import { connectNats, namespace } from "@loadline/nats";
import { jetstreamManager } from "@nats-io/jetstream";
import { type Cleanups, withTimeout } from "../read-side/bench-util.ts";

export async function benchNamespace(natsUrl: string, connectionName: string, cleanups: Cleanups) {
  const ns = namespace(`bench${randomBytes(5).toString("hex")}`);
  const nc = await withTimeout(connectNats(natsUrl, connectionName), 10_000, `no NATS at ${natsUrl}`);
  cleanups.add("NATS connection", () => nc.drain());
  const jsm = await jetstreamManager(nc);
  cleanups.add(`streams of ${ns.prefix}`, () =>
    Promise.all(
      [...Object.values(ns.streams), ...Object.values(ns.buckets).map((b) => `KV_${b}`)].map((s) =>
        jsm.streams.delete(s).catch(() => false),
      ),
    ),
  );
  return { ns, nc, jsm };
}
