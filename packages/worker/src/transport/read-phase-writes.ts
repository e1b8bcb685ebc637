import type { Socket } from "node:net";

/**
 * Requests written while the event loop is reading responses wait until that read phase is over
 * and go out together (setImmediate: the loop's check phase follows its poll phase); any other
 * write goes out at once. A closed loop sends its next request on each response: written at once,
 * the writes were interleaved with the reads, and each woke the target on its own; together, a
 * turn's responses are answered in one burst. Against nginx on the next core this was 1.3-1.8×
 * the closed loop's throughput (bench/results/self-noise.md). A held request's latency counts
 * from before it was held, so the wait is in its latency, not hidden.
 */
let reading = false;
const held: { socket: Socket; head: string; body: string | null }[] = [];

/** Bytes of a response were read: writes wait for the end of this read phase. */
export function readingResponses(): void {
  if (reading) return;
  reading = true;
  setImmediate(writeHeld);
}

/** Writes a request's head (latin1) and body (UTF-8), now or at the end of the read phase. */
export function writeRequest(socket: Socket, head: string, body: string | null): void {
  if (reading) held.push({ socket, head, body });
  else write(socket, head, body);
}

function writeHeld(): void {
  reading = false;
  // Each write may not start another read phase: held stays as it is until the loop below ends.
  for (const { socket, head, body } of held) if (!socket.destroyed) write(socket, head, body);
  held.length = 0;
}

function write(socket: Socket, head: string, body: string | null): void {
  if (body === null) {
    socket.write(head, "latin1");
    return;
  }
  socket.cork();
  socket.write(head, "latin1");
  socket.write(body, "utf8");
  socket.uncork();
}
