import type { ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "@loadline/core";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { findNatsServer, freePort, NatsPortInUseError, spawnNatsServer } from "./server-process.ts";

/** One nats-server process of the test's own, on a port it picked, with a store dir of its own: it can be killed and started again. */
export type NatsNode = {
  name: string;
  url: string;
  /** SIGKILL by default: a crash, nothing flushed. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again, same ports, same store (failing if another process took a port meanwhile). */
  start(): Promise<void>;
  /**
   * SIGSTOP: the server is frozen, connections open. It reads nothing, so what its clients write
   * (an ack, say) waits unread in the kernel's buffers until `resume`, and is lost if it is killed.
   */
  pause(): void;
  /** SIGCONT: a paused server goes on where it stopped. */
  resume(): void;
  readonly running: boolean;
};

export type NatsServers = {
  nodes: NatsNode[];
  /** Every node's URL, comma-separated, as services take them. */
  url: string;
  stopAll(): Promise<void>;
};

/** Attempts at a cluster whose route ports were all free when chosen. */
const CLUSTER_ATTEMPTS = 5;

/**
 * `count` JetStream servers: one alone, or a cluster of them (routes between every pair). Each
 * server binds a client port of its own choosing and says which (spawnNatsServer). A cluster's
 * route ports must be known to every member before any starts: they are chosen free, and when
 * another process took one before its server bound it, the cluster starts over on new ones.
 */
export async function natsServers(count: number, baseDir: string): Promise<NatsServers> {
  const bin = findNatsServer();
  if (!bin) throw new Error("nats-server is not installed (Debian: apt-get install nats-server)");
  for (let attempt = 1; ; attempt++) {
    const routes = count > 1 ? await Promise.all(Array.from({ length: count }, () => freePort())) : [];
    const nodes = Array.from({ length: count }, (_, i) => natsNode(bin, `n${i + 1}`, join(baseDir, `n${i + 1}`), i, routes));
    const started = await Promise.allSettled(nodes.map((n) => n.start()));
    const failed = started.find((r) => r.status === "rejected");
    try {
      if (failed) throw failed.reason;
      if (count > 1) await clusterFormed(nodes[0]!.url, count);
    } catch (err) {
      await Promise.all(nodes.map((n) => n.kill()));
      if (!(err instanceof NatsPortInUseError) || attempt >= CLUSTER_ATTEMPTS) throw err;
      for (const n of nodes) rmSync(join(baseDir, n.name), { recursive: true, force: true });
      continue;
    }
    return {
      nodes,
      url: nodes.map((n) => n.url).join(","),
      async stopAll() {
        await Promise.all(nodes.map((n) => n.kill("SIGTERM")));
      },
    };
  }
}

/** Server `i` of a cluster routed over `routes` (none: alone). Its client port is its own pick at the first start, then kept. */
function natsNode(bin: string, name: string, store: string, i: number, routes: readonly number[]): NatsNode {
  mkdirSync(store, { recursive: true });
  let clientPort = -1;
  const args = () => {
    const a = ["-a", "127.0.0.1", "-p", String(clientPort), "-js", "-sd", store, "--server_name", name];
    if (routes.length > 1) {
      a.push(
        "--cluster_name",
        "chaos",
        "--cluster",
        `nats://127.0.0.1:${routes[i]}`,
        "--routes",
        routes.map((r) => `nats://127.0.0.1:${r}`).join(","),
      );
    }
    return a;
  };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let paused = false;
  const signal = (sig: NodeJS.Signals) => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  return {
    name,
    get url() {
      if (clientPort < 0) throw new Error(`nats-server ${name} has not started yet`);
      return `nats://127.0.0.1:${clientPort}`;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      const spawned = await spawnNatsServer(bin, args(), {
        portsDir: store,
        cluster: routes.length > 1,
        onSpawn: (c) => {
          child = c;
          exited = new Promise((resolve) => c.once("exit", () => resolve()));
        },
      });
      clientPort = spawned.ports.client;
    },
    pause() {
      signal("SIGSTOP");
      paused = true;
    },
    resume() {
      signal("SIGCONT");
      paused = false;
    },
    async kill(sig = "SIGKILL") {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill(sig);
      // A stopped process acts on no signal but SIGKILL until it is continued.
      if (paused && sig !== "SIGKILL") child.kill("SIGCONT");
      paused = false;
      await exited;
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
