import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { readingResponses, writeRequest } from "./read-phase-writes.ts";

/** What a socket was written, in order; only the calls writeRequest makes. */
function recordingSocket(log: string[], name: string, destroyed = false): Socket {
  return {
    destroyed,
    cork: () => log.push(`${name} cork`),
    uncork: () => log.push(`${name} uncork`),
    write: (text: string, encoding: string) => log.push(`${name} ${encoding} ${text}`),
  } as unknown as Socket;
}

const afterReadPhase = () => new Promise((resolve) => setImmediate(resolve));

describe("read-phase writes", () => {
  it("writes at once outside a read phase", () => {
    const log: string[] = [];
    writeRequest(recordingSocket(log, "a"), "GET / HTTP/1.1\r\n\r\n", null);
    expect(log).toEqual(["a latin1 GET / HTTP/1.1\r\n\r\n"]);
  });

  it("holds the writes of a read phase and makes them together, in order, once it is over", async () => {
    const log: string[] = [];
    readingResponses();
    writeRequest(recordingSocket(log, "a"), "A", null);
    readingResponses();
    writeRequest(recordingSocket(log, "b"), "B", "body");
    writeRequest(recordingSocket(log, "gone", true), "C", null);
    expect(log).toEqual([]);
    await afterReadPhase();
    // The body after its head in one corked write; a socket closed meanwhile (its request given up on) gets nothing.
    expect(log).toEqual(["a latin1 A", "b cork", "b latin1 B", "b utf8 body", "b uncork"]);
    // Over: the next write goes out at once.
    writeRequest(recordingSocket(log, "d"), "D", null);
    expect(log.at(-1)).toBe("d latin1 D");
  });
});
