import { FAILURE_KINDS, type FailureKind } from "@loadline/core";
import type { RequestSample } from "../../windows.ts";

/**
 * What the Locust plugin (loadline_plugin.py) says on its channel, one JSON array a line:
 * ready, each request Locust reported, each request the stop interrupted in flight, the user
 * count when it changes, and that the stop is over.
 */
export type LocustMessage =
  | { type: "ready" }
  | { type: "request"; endedAtMs: number; sample: RequestSample; latencyUs: number }
  | { type: "interrupted"; atMs: number; sample: RequestSample }
  | { type: "users"; users: number }
  | { type: "stopped" };

/** What the worker tells the plugin: start (at the run's agreed instant), a new user count, stop. */
export type LocustCommand =
  | { cmd: "go"; at: number; users: number; rate: number }
  | { cmd: "users"; users: number; rate: number }
  | { cmd: "stop"; timeout: number };

/** The longest request name kept: a locustfile naming requests by full URLs with ids would grow windows without bound. */
const MAX_NAME = 200;
const MAX_METHOD = 32;

const text = (v: unknown, max: number): string => (typeof v === "string" && v.length > 0 ? v.slice(0, max) : "?");
const finite = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
const kindOf = (v: unknown): FailureKind | null =>
  v === null ? null : (FAILURE_KINDS as readonly unknown[]).includes(v) ? (v as FailureKind) : "check";

const sampleOf = (name: unknown, method: unknown): RequestSample => ({
  name: text(name, MAX_NAME),
  method: text(method, MAX_METHOD),
  status: null,
  failure: null,
  bytesIn: 0,
  bytesOut: 0,
  checksPassed: 0,
  checksFailed: 0,
});

/** One line of the channel as a message; undefined for a line that is none (it is tenant-reachable input: never trusted). */
export function parseLocustLine(line: string): LocustMessage | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields)) return undefined;
  switch (fields[0]) {
    case "ready":
      return { type: "ready" };
    case "stopped":
      return { type: "stopped" };
    case "u":
      return { type: "users", users: Math.round(finite(fields[1])) };
    case "i":
      return { type: "interrupted", atMs: finite(fields[1]), sample: { ...sampleOf(fields[2], fields[3]), interrupted: true } };
    case "r": {
      const [, endedAtMs, name, method, timeMs, bytesIn, bytesOut, status, kind] = fields;
      const code = typeof status === "number" && Number.isInteger(status) && status > 0 && status < 1000 ? status : null;
      const failure = kindOf(kind ?? null);
      const sample: RequestSample = {
        ...sampleOf(name, method),
        status: code,
        failure,
        bytesIn: Math.round(finite(bytesIn)),
        bytesOut: Math.round(finite(bytesOut)),
        // Locust's clients speak HTTP/1.1 only; a custom client's request (no status) says nothing.
        ...(code !== null ? { protocol: "http/1.1" } : {}),
      };
      return { type: "request", endedAtMs: finite(endedAtMs), sample, latencyUs: finite(timeMs) * 1000 };
    }
    default:
      return undefined;
  }
}
