import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "@loadline/core";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { findNatsServer, freePort, waitForPort } from "../embedded-nats.ts";

/** One nats-server process of the test's own, on a free port with a store dir of its own: it can be killed and started again. */
export type NatsNode = {
  name: string;
  url: string;
  /** SIGKILL by default: a crash, nothing flushed. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again, same port, same store. */
  start(): Promise<void>;
  readonly running: boolean;
};

export type NatsServers = {
  nodes: NatsNode[];
  /** Every node's URL, comma-separated, as services take them. */
  url: string;
  stopAll(): Promise<void>;
};

/** `count` JetStream servers: one alone, or a cluster of them (routes between every pair). */
export async function natsServers(count: number, baseDir: string): Promise<NatsServers> {
  const bin = findNatsServer();
  if (!bin) throw new Error("nats-server is not installed (Debian: apt-get install nats-server)");
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const routes = await Promise.all(Array.from({ length: count }, () => freePort()));
  const nodes = ports.map((port, i): NatsNode => {
    const name = `n${i + 1}`;
    const store = join(baseDir, name);
    mkdirSync(store, { recursive: true });
    const args = ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store, "--server_name", name];
    if (count > 1) {
      args.push(
        "--cluster_name",
        "chaos",
        "--cluster",
        `nats://127.0.0.1:${routes[i]}`,
        "--routes",
        routes.map((r) => `nats://127.0.0.1:${r}`).join(","),
      );
    }
    let child: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    return {
      name,
      url: `nats://127.0.0.1:${port}`,
      get running() {
        return child !== undefined && child.exitCode === null && child.signalCode === null;
      },
      async start() {
        child = spawn(bin, args, { stdio: "ignore" });
        const c = child;
        exited = new Promise((resolve) => c.once("exit", () => resolve()));
        await waitForPort(port);
      },
      async kill(signal = "SIGKILL") {
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        child.kill(signal);
        await exited;
      },
    };
  });
  await Promise.all(nodes.map((n) => n.start()));
  if (count > 1) await clusterFormed(nodes[0]!.url, count);
  return {
    nodes,
    url: nodes.map((n) => n.url).join(","),
    async stopAll() {
      await Promise.all(nodes.map((n) => n.kill("SIGTERM")));
    },
  };
}

/**
 * Until every member is known to the first (a service deciding its streams' replicas reads
 * that list) and JetStream has a meta leader (before, stream requests fail).
 */
async function clusterFormed(url: string, count: number, timeoutMs = 20_000): Promise<void> {
  const nc = await connect({ servers: url });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const members = new Set(nc.info?.connect_urls ?? []).size;
      const jsReady =
        members >= count &&
        (await jetstreamManager(nc, { timeout: 1000 })
          .then((jsm) => jsm.getAccountInfo())
          .then(
            () => true,
            () => false,
          ));
      if (jsReady) return;
      if (Date.now() > deadline) throw new Error(`cluster of ${count} not formed after ${timeoutMs} ms (${members} members known)`);
      await sleep(200);
    }
  } finally {
    await nc.close();
  }
}
