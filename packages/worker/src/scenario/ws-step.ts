import { STREAM_ROW_NAMES, sleep, type TlsOptions, type WsAction, type WsStep } from "@loadline/core";
import { compileBody } from "./body.ts";
import { MessageInspection, messageView } from "./message-inspection.ts";
import { unguardedStreams } from "./stream-connector.ts";
import {
  builtinsSetter,
  interruptedRecord,
  NO_CHECKS,
  type StreamStepRun,
  StreamTarget,
  streamFailureKind,
  streamRecord,
} from "./stream-target.ts";
import type { Target } from "./url.ts";
import { type Composite, renderComposite, type VariableTable } from "./variables.ts";
import { ABORTED, CLOSED, WsConnection } from "./ws-connection.ts";

type WsActionPlan =
  | { readonly kind: "send"; readonly text: string | Composite }
  | { readonly kind: "expect"; readonly name: string; readonly timeoutMs: number; readonly inspection: MessageInspection }
  | { readonly kind: "hold"; readonly ms: number; readonly pingEveryMs: number | undefined }
  | { readonly kind: "close" };

/** How an expect ended: its message came (or not, counted), the connection closed, or the stop cut it short. */
type ExpectOutcome = "done" | "closed" | "aborted";

/** The HTTP status of a WebSocket handshake that succeeded: what the rows of a connection that opened say. */
const SWITCHING_PROTOCOLS = 101;

function compileAction(a: WsAction, stepName: string, table: VariableTable, refs: Set<number>): WsActionPlan {
  switch (a.type) {
    case "send":
      return { kind: "send", text: compileBody(a.text !== undefined ? { raw: a.text } : { json: a.json }, table, refs).body };
    case "expect":
      return {
        kind: "expect",
        name: STREAM_ROW_NAMES.wsExpect(a.name ?? stepName),
        timeoutMs: a.timeoutMs,
        inspection: new MessageInspection(a.checks, a.extract, table),
      };
    case "hold":
      return { kind: "hold", ms: a.ms, pingEveryMs: a.pingEveryMs };
    case "close":
      return { kind: "close" };
  }
}

/** The WebSocket url of a rendered http(s) one: same origin, ws: or wss:. */
export const webSocketUrl = (origin: string, path: string): string => origin.replace(/^http/i, "ws") + path;

/**
 * A ws step compiled once per scenario. It records one row per connection, `WS connect <name>`
 * (time to the open; messages and bytes of the whole connection, recorded when it ends), and one
 * per expect, `WS expect <name>` (from the last send, else the open, to the first message
 * passing its checks; a timeout fails `timeout`, or `check` when messages came that did not
 * pass; a close before it fails `reset`).
 */
export class WsPlan {
  readonly kind = "ws";
  private readonly connectName: string;
  private readonly target: StreamTarget;
  private readonly protocols: string[] | undefined;
  private readonly connectTimeoutMs: number;
  private readonly actions: readonly WsActionPlan[];
  private readonly setBuiltins: (values: string[]) => void;

  constructor(step: WsStep, target: Target, table: VariableTable, scenarioRefs: Set<number>, testTls?: TlsOptions) {
    const refs = new Set<number>();
    const name = step.name ?? step.url;
    this.connectName = STREAM_ROW_NAMES.wsConnect(name);
    this.target = new StreamTarget(step.url, step.headers, target, table, refs, step.tls ?? testTls);
    this.protocols = step.protocols;
    this.connectTimeoutMs = step.connectTimeoutMs;
    this.actions = step.actions.map((a) => compileAction(a, name, table, refs));
    this.setBuiltins = builtinsSetter(refs);
    for (const r of refs) scenarioRefs.add(r);
  }

  /** Connects, runs the actions in order, closes; true when the stop cut it short. Never throws. */
  async run(run: StreamStepRun): Promise<boolean> {
    const { values, signal, record } = run;
    this.setBuiltins(values);
    const startedAt = performance.now();
    let connection: WsConnection;
    try {
      const req = this.target.render(values, run.cookies);
      const dispatcher = (run.transport.streams ?? unguardedStreams).dispatcherFor(req.origin, this.target.tls);
      const opts = { protocols: this.protocols, headers: req.headers, dispatcher, timeoutMs: this.connectTimeoutMs };
      connection = await WsConnection.open(webSocketUrl(req.origin, req.path), opts, signal);
    } catch (error) {
      if (signal.aborted) record(interruptedRecord(this.connectName, "WS", startedAt, run.first));
      else
        record(
          streamRecord(this.connectName, "WS", startedAt, performance.now(), null, streamFailureKind(error, false), NO_CHECKS, run.first),
        );
      return signal.aborted;
    }
    const openedAt = performance.now();
    try {
      return await this.converse(connection, openedAt, run);
    } finally {
      connection.close();
      record({
        ...streamRecord(this.connectName, "WS", startedAt, openedAt, SWITCHING_PROTOCOLS, null, NO_CHECKS, run.first),
        bytesIn: connection.bytesIn,
        bytesOut: connection.bytesOut,
        messagesIn: connection.messagesIn,
        messagesOut: connection.messagesOut,
      });
    }
  }

  private async converse(connection: WsConnection, openedAt: number, run: StreamStepRun): Promise<boolean> {
    let lastSendAt = openedAt;
    for (const action of this.actions) {
      if (run.signal.aborted) return true;
      switch (action.kind) {
        case "send":
          // A send on a closed connection sends nothing: the next expect fails `reset`.
          if (connection.send(renderComposite(action.text, run.values))) lastSendAt = performance.now();
          break;
        case "expect": {
          const outcome = await this.expect(action, connection, lastSendAt, run);
          if (outcome !== "done") return outcome === "aborted";
          break;
        }
        case "hold": {
          const pinger = action.pingEveryMs === undefined ? undefined : setInterval(() => connection.ping(), action.pingEveryMs);
          try {
            await sleep(action.ms, run.signal);
          } finally {
            clearInterval(pinger);
          }
          break;
        }
        case "close":
          return false;
      }
    }
    return run.signal.aborted;
  }

  private async expect(
    action: Extract<WsActionPlan, { kind: "expect" }>,
    connection: WsConnection,
    since: number,
    run: StreamStepRun,
  ): Promise<ExpectOutcome> {
    const { inspection, name } = action;
    const deadline = performance.now() + action.timeoutMs;
    let mismatched = false;
    // Each turn reads one message or ends: bounded by the deadline.
    for (;;) {
      const message = await connection.next(deadline, run.signal);
      const now = performance.now();
      if (message === ABORTED) {
        run.record(interruptedRecord(name, "WS", since, false));
        return "aborted";
      }
      if (typeof message !== "string") {
        const failure = message === CLOSED ? "reset" : mismatched ? "check" : "timeout";
        run.record(streamRecord(name, "WS", since, now, null, failure, { passed: 0, failed: inspection.count }, false));
        return message === CLOSED ? "closed" : "done";
      }
      const view = messageView(message, SWITCHING_PROTOCOLS, now - since);
      if (inspection.failedChecks(view) > 0) {
        mismatched = true;
        continue;
      }
      const failed = inspection.extract(view, run.values);
      const checks = { passed: inspection.count - failed, failed };
      run.record(streamRecord(name, "WS", since, now, SWITCHING_PROTOCOLS, failed > 0 ? "check" : null, checks, false));
      return "done";
    }
  }
}
