import type { Client, Metadata, ServiceError } from "@grpc/grpc-js";
import { GRPC_ROW_NAMES, type GrpcAddress, type GrpcStep, grpcAddressOf, type TlsOptions } from "@loadline/core";
import { compileBody } from "./body.ts";
import type { GrpcConnector } from "./grpc-connector.ts";
import { compileGrpcMethod, type GrpcMethod } from "./grpc-method.ts";
import { grpcJs } from "./grpc-modules.ts";
import { grpcFailureKind, isConnectionFailure } from "./grpc-status.ts";
import { MessageInspection, messageView } from "./message-inspection.ts";
import { builtinsSetter, interruptedRecord, NO_CHECKS, type StreamStepRun, streamFailureKind, streamRecord } from "./stream-target.ts";
import type { RequestRecord } from "./transport.ts";
import { type Composite, compileText, renderComposite, renderText, type Text, type VariableTable } from "./variables.ts";

/** How a call ended: its status, whether the server answered (response headers), and whether the stop or the step cancelled it. */
type CallEnd = { code: number; details: string; answered: boolean };
/** Why a streaming call ended: the server's status, its count or duration reached, or the stop. */
type StreamEnd = "status" | "enough" | "stopped";

const METHOD = "GRPC";
const PROTOCOL = "grpc";

/**
 * A grpc step compiled once per scenario: its proto compiled (a proto that does not compile
 * throws, refusing the run), its message and metadata templates. A unary call records one row,
 * `gRPC <name>` (from the send to the status; the status code is the record's status), its
 * message checks and extractions read on the response as JSON, its status check on the code.
 * A server-streaming call records `gRPC first <name>` and `gRPC next <name>` per message, as
 * an sse step does per event. Bytes are the serialized messages' sizes.
 */
export class GrpcPlan {
  readonly kind = "grpc";
  private readonly unaryName: string;
  private readonly firstName: string;
  private readonly nextName: string;
  private readonly address: GrpcAddress;
  private readonly tls: TlsOptions | undefined;
  private readonly method: GrpcMethod;
  private readonly message: string | Composite;
  private readonly metadata: readonly (readonly [string, Text])[];
  private readonly deadlineMs: number;
  private readonly count: number | undefined;
  private readonly durationMs: number | undefined;
  private readonly inspection: MessageInspection;
  /** The statuses the step's status check lists, or null without one. */
  private readonly listed: ReadonlySet<number> | null;
  /** Checks and extractions a call counts: the message's, and the status check. */
  private readonly checkCount: number;
  private readonly setBuiltins: (values: string[]) => void;

  constructor(step: GrpcStep, targetUrl: string, testTls: TlsOptions | undefined, table: VariableTable, scenarioRefs: Set<number>) {
    const refs = new Set<number>();
    const name = step.name ?? `${step.service}/${step.method}`;
    this.unaryName = GRPC_ROW_NAMES.unary(name);
    this.firstName = GRPC_ROW_NAMES.first(name);
    this.nextName = GRPC_ROW_NAMES.next(name);
    const address = grpcAddressOf(step, targetUrl);
    if ("error" in address) throw new Error(`grpc step target: ${address.error}`);
    this.address = address;
    this.tls = step.tls ?? testTls;
    this.method = compileGrpcMethod(step);
    this.message = compileBody({ json: step.message }, table, refs).body;
    this.metadata = Object.entries(step.metadata ?? {}).map(([k, v]) => [k, compileText(v, table, refs)] as const);
    this.deadlineMs = step.deadlineMs;
    this.count = step.stream?.count;
    this.durationMs = step.stream?.durationMs;
    const messageChecks = step.checks.filter((c) => c.type !== "status");
    this.inspection = new MessageInspection(messageChecks, step.extract, table);
    const status = step.checks.find((c) => c.type === "status");
    this.listed = status ? new Set(status.in) : null;
    this.checkCount = this.inspection.count + (status ? 1 : 0);
    this.setBuiltins = builtinsSetter(refs);
    for (const r of refs) scenarioRefs.add(r);
  }

  /** Makes the call and records it; true when the stop cut it short. Never throws. */
  async run(run: StreamStepRun): Promise<boolean> {
    this.setBuiltins(run.values);
    const startedAt = performance.now();
    const name = this.method.serverStreaming ? this.firstName : this.unaryName;
    const oneOff = run.transport.grpc === undefined ? await unguardedConnector() : null;
    const connector = run.transport.grpc ?? oneOff!.connector;
    try {
      let client: Client;
      try {
        client = await connector.clientFor(this.address, this.tls);
      } catch (error) {
        run.record(this.failed(name, startedAt, streamFailureKind(error, false), run.first));
        return false;
      }
      if (run.signal.aborted) {
        run.record(interruptedRecord(name, METHOD, startedAt, run.first));
        return true;
      }
      let metadata: Metadata;
      try {
        metadata = this.renderMetadata(run.values);
      } catch {
        // A value grpc-js refuses (a control character from a variable): nothing was sent, as a
        // request step whose url renders to nothing. Its error is not kept: the value may be a secret.
        run.record(this.failed(name, startedAt, "connect", run.first));
        return false;
      }
      const message = JSON.parse(renderComposite(this.message, run.values)) as object;
      return this.method.serverStreaming
        ? await this.stream(client, message, metadata, run, startedAt)
        : await this.unary(client, message, metadata, run, startedAt);
    } finally {
      oneOff?.close();
    }
  }

  private async unary(client: Client, message: object, metadata: Metadata, run: StreamStepRun, startedAt: number): Promise<boolean> {
    let bytesOut = 0;
    let bytesIn = 0;
    let answered = false;
    const serialize = (m: object) => {
      const bytes = this.method.serialize(m);
      bytesOut = bytes.length;
      return bytes;
    };
    const deserialize = (bytes: Buffer) => {
      bytesIn = bytes.length;
      return this.method.deserialize(bytes);
    };
    let cancel = () => {};
    const { end, response } = await new Promise<{ end: CallEnd; response: object | undefined }>((resolve) => {
      const call = client.makeUnaryRequest(
        this.method.path,
        serialize,
        deserialize,
        message,
        metadata,
        { deadline: Date.now() + this.deadlineMs },
        (error: ServiceError | null, value?: object) =>
          resolve({
            end: { code: error?.code ?? 0, details: error?.details ?? "", answered: answered || value !== undefined },
            response: value,
          }),
      );
      call.on("metadata", () => {
        answered = true;
      });
      cancel = () => call.cancel();
      run.signal.addEventListener("abort", cancel, { once: true });
    });
    const endedAt = performance.now();
    run.signal.removeEventListener("abort", cancel);
    if (run.signal.aborted) {
      run.record(interruptedRecord(this.unaryName, METHOD, startedAt, run.first));
      return true;
    }
    const failure = grpcFailureKind(end.code, end.details, end.answered, this.listed);
    if (isConnectionFailure(failure)) {
      run.record(this.failed(this.unaryName, startedAt, failure, run.first));
      return false;
    }
    const failedChecks = this.failedChecks(end.code, response, endedAt - startedAt, run.values);
    run.record({
      ...streamRecord(
        this.unaryName,
        METHOD,
        startedAt,
        endedAt,
        end.code,
        failure ?? (failedChecks > 0 ? "check" : null),
        { passed: this.checkCount - failedChecks, failed: failedChecks },
        run.first,
      ),
      bytesIn,
      bytesOut,
      messagesIn: response === undefined ? 0 : 1,
      messagesOut: 1,
      protocol: PROTOCOL,
    });
    return false;
  }

  /** Reads the stream's messages to its count, duration or end; one record per message, and one for an end that failed. */
  private async stream(client: Client, message: object, metadata: Metadata, run: StreamStepRun, startedAt: number): Promise<boolean> {
    let bytesOut = 0;
    let received = 0;
    let lastAt = startedAt;
    let answered = false;
    let why = "status" as StreamEnd;
    const serialize = (m: object) => {
      const bytes = this.method.serialize(m);
      bytesOut = bytes.length;
      return bytes;
    };
    // Each message's size, in order: grpc-js decodes a message before the stream emits it.
    const sizes: number[] = [];
    const deserialize = (bytes: Buffer) => {
      sizes.push(bytes.length);
      return this.method.deserialize(bytes);
    };
    const end = await new Promise<CallEnd>((resolve) => {
      const call = client.makeServerStreamRequest(this.method.path, serialize, deserialize, message, metadata, {
        deadline: Date.now() + this.deadlineMs,
      });
      const cancel = (reason: StreamEnd) => {
        if (why === "status") why = reason;
        call.cancel();
      };
      const timer = this.durationMs === undefined ? undefined : setTimeout(() => cancel("enough"), this.durationMs);
      const stop = () => cancel("stopped");
      run.signal.addEventListener("abort", stop, { once: true });
      call.on("metadata", () => {
        answered = true;
      });
      call.on("data", (value: object) => {
        const size = sizes.shift() ?? 0;
        if (why !== "status") return;
        const now = performance.now();
        const failed = this.inspectMessage(value, now - lastAt, run.values);
        run.record({
          ...streamRecord(
            received === 0 ? this.firstName : this.nextName,
            METHOD,
            lastAt,
            now,
            0,
            failed > 0 ? "check" : null,
            { passed: this.inspection.count - failed, failed },
            received === 0 && run.first,
          ),
          bytesIn: size,
          // The request goes once: its bytes count on the first row.
          bytesOut: received === 0 ? bytesOut : 0,
          messagesIn: 1,
          messagesOut: received === 0 ? 1 : 0,
          protocol: PROTOCOL,
        });
        received++;
        lastAt = now;
        if (received === this.count) cancel("enough");
      });
      // Its errors are the status too: the status event says how it ended.
      call.on("error", () => undefined);
      call.on("status", (status) => {
        clearTimeout(timer);
        run.signal.removeEventListener("abort", stop);
        resolve({ code: status.code, details: status.details, answered });
      });
    });
    const name = received === 0 ? this.firstName : this.nextName;
    const first = received === 0 && run.first;
    if (why === "stopped") {
      run.record(interruptedRecord(name, METHOD, lastAt, first));
      return true;
    }
    if (why === "enough") return false;
    let failure = grpcFailureKind(end.code, end.details, end.answered, null);
    // The server ended the stream (OK) before the count: the stream closed on the wait, as an sse step's.
    if (failure === null && this.count !== undefined && received < this.count) failure = "reset";
    if (failure !== null) {
      const failed = isConnectionFailure(failure) ? null : end.code;
      run.record({
        ...streamRecord(name, METHOD, lastAt, performance.now(), failed, failure, { passed: 0, failed: this.inspection.count }, first),
        protocol: PROTOCOL,
      });
    } else if (received === 0) {
      // A stream that ended OK with no message: the call shows, timed to its end.
      run.record({
        ...streamRecord(name, METHOD, startedAt, performance.now(), end.code, null, NO_CHECKS, first),
        bytesOut,
        messagesOut: 1,
        protocol: PROTOCOL,
      });
    }
    return false;
  }

  private renderMetadata(values: readonly string[]): Metadata {
    const metadata = new (grpcJs().Metadata)();
    for (const [key, value] of this.metadata) {
      const text = renderText(value, values);
      // A binary key's value travels as bytes: written here as base64.
      metadata.set(key, key.endsWith("-bin") ? Buffer.from(text, "base64") : text);
    }
    return metadata;
  }

  /** The checks a unary call fails: its status check on the code, and the message's on the response (all of them without one). */
  private failedChecks(code: number, response: object | undefined, latencyMs: number, values: string[]): number {
    const status = this.listed === null ? 0 : this.listed.has(code) ? 0 : 1;
    if (response === undefined) return status + this.inspection.count;
    return status + this.inspectMessage(response, latencyMs, values);
  }

  /** Runs the message checks and extractions on one response message; how many failed. */
  private inspectMessage(value: object, latencyMs: number, values: string[]): number {
    if (this.inspection.count === 0) return 0;
    const view = messageView(JSON.stringify(value), 0, latencyMs);
    return this.inspection.failedChecks(view) + this.inspection.extract(view, values);
  }

  /** The record of a call that reached no server: blocked, or its connection failed. */
  private failed(name: string, startedAt: number, kind: RequestRecord["failure"], first: boolean): RequestRecord {
    return {
      ...streamRecord(name, METHOD, startedAt, performance.now(), null, kind, { passed: 0, failed: this.checkCount }, first),
      protocol: PROTOCOL,
    };
  }
}

/**
 * For transports without channels of their own (test doubles): a connector for one call,
 * unguarded, closed after it. Loaded on demand so the scenario runtime need not import the
 * transport's modules.
 */
async function unguardedConnector(): Promise<{ connector: GrpcConnector; close: () => void }> {
  const { GrpcChannels } = await import("../transport/grpc-channels.ts");
  const channels = new GrpcChannels(undefined);
  return { connector: channels, close: () => void channels.close() };
}
