import { Server, ServerCredentials, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData, type status } from "@grpc/grpc-js";
import type { ServiceDefinition } from "@grpc/proto-loader";
import { loadProtoDefinition } from "@loadline/worker";
import { DEMO_PROTO } from "./demo-proto.ts";

/** What the demo's gRPC service received and sent, so a run's counts can be checked. */
export type GrpcCounts = {
  /** Say calls received (answered OK or with the status asked). */
  sayCalls: number;
  tickStreams: number;
  /** Tick messages sent. */
  ticks: number;
};

export type DemoGrpc = { url: string; counts(): GrpcCounts; close(): Promise<void> };

type SayRequest = { text: string; fail_code: number; delay_ms: number };
type TicksRequest = { count: number; every_ms: number };

const MAX_TICKS = 100_000;
const MAX_WAIT_MS = 60_000;
const clamp = (n: number, max: number): number => Math.min(max, Math.max(0, Math.floor(n) || 0));

/**
 * The demo target's gRPC service on a port of its own, plaintext HTTP/2 (`grpc://`), from
 * examples/demo.proto: `demo.Echo/Say` answers the text, the count of Say calls so far and the
 * `x-user` metadata (or the status `fail_code` asks, after `delay_ms`); `demo.Echo/Ticks` streams
 * `count` ticks, one every `every_ms`, stopping early when the client cancels.
 */
export async function startDemoGrpc(port: number, host: string): Promise<DemoGrpc> {
  const counts: GrpcCounts = { sayCalls: 0, tickStreams: 0, ticks: 0 };
  // proto-loader's service definition: grpc-js serves it as it is (the shape loadPackageDefinition hands clients).
  const service = loadProtoDefinition(DEMO_PROTO)["demo.Echo"] as ServiceDefinition;
  const server = new Server();
  server.addService(service, {
    Say: (call: ServerUnaryCall<SayRequest, object>, callback: sendUnaryData<object>) => {
      counts.sayCalls++;
      const { text, fail_code: failCode, delay_ms: delayMs } = call.request;
      const user = String(call.metadata.get("x-user")[0] ?? "");
      const count = counts.sayCalls;
      setTimeout(
        () => {
          if (failCode > 0 && failCode <= 16) callback({ code: failCode as status, details: `asked for status ${failCode}` });
          else callback(null, { text, count: String(count), user });
        },
        clamp(delayMs, MAX_WAIT_MS),
      );
    },
    Ticks: (call: ServerWritableStream<TicksRequest, object>) => {
      counts.tickStreams++;
      const n = clamp(call.request.count, MAX_TICKS);
      const everyMs = clamp(call.request.every_ms, MAX_WAIT_MS);
      let sent = 0;
      const tick = () => {
        if (call.cancelled) return;
        if (sent >= n) return void call.end();
        sent++;
        counts.ticks++;
        call.write({ n: sent });
        timer = setTimeout(tick, everyMs);
      };
      let timer = setTimeout(tick, everyMs);
      call.on("cancelled", () => clearTimeout(timer));
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    url: `grpc://${host}:${bound}`,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Streams still open end now: a shutdown waits for them otherwise.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}
