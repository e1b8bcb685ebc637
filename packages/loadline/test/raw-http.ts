import { connect } from "node:net";

/**
 * HTTP/1.1 over a bare socket, for tests that send what fetch and node:http refuse to (NUL in
 * a header, a malformed request line, a body larger than it claims) and must see exactly what
 * the server answers, and whether it then closes the connection.
 */

export type RawAnswer = {
  status: number;
  /** Header names in lower case; a repeated header keeps every value. */
  headers: Map<string, string[]>;
  body: Buffer;
  /** The server closed the connection after answering (within `closeWaitMs`). */
  closed: boolean;
  ms: number;
};

export type RawOutcome =
  | { kind: "answer"; answer: RawAnswer }
  /** Closed or reset before a whole answer came. */
  | { kind: "no-answer"; received: Buffer; ms: number; error?: string }
  | { kind: "timeout"; received: Buffer; ms: number };

export type RawSend = {
  /** Written in order, each after the previous has drained; writing stops once an answer arrives. */
  parts: readonly Buffer[];
  /** A HEAD request: its answer has no body, whatever Content-Length says. */
  head?: boolean;
  /** Close our side once everything is written (the server sees the end of the request). */
  halfClose?: boolean;
  timeoutMs: number;
  /** We asked the server to close after answering (Connection: close). */
  expectClose?: boolean;
  /** How long to wait, after an answer that was asked or says it will close, for the server to close. 0: do not wait. */
  closeWaitMs?: number;
};

type Head = { status: number; headers: Map<string, string[]>; bodyStart: number };

function parseHead(buf: Buffer, from: number): Head | "incomplete" | "malformed" {
  const end = buf.indexOf("\r\n\r\n", from, "latin1");
  if (end < 0) return "incomplete";
  const lines = buf.subarray(from, end).toString("latin1").split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? "");
  if (!status) return "malformed";
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return "malformed";
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(status[1]), headers, bodyStart: end + 4 };
}

/** The body of a chunked answer starting at `from`, or null while it is incomplete. */
function dechunk(buf: Buffer, from: number): Buffer | null {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buf.indexOf("\r\n", at, "latin1");
    if (eol < 0) return null;
    const size = Number.parseInt(buf.subarray(at, eol).toString("latin1").split(";")[0] ?? "", 16);
    if (!Number.isFinite(size)) throw new Error("malformed chunk size in the answer");
    // The last chunk: its line's CRLF, any trailers, then an empty line.
    if (size === 0) return buf.indexOf("\r\n\r\n", eol, "latin1") >= 0 ? Buffer.concat(parts) : null;
    if (buf.length < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/**
 * The first final answer in `buf` (informational 1xx answers are skipped), or null while it
 * is incomplete. `ended`: the server has closed, so a body without length ends here.
 */
export function parseAnswer(buf: Buffer, head: boolean, ended: boolean): Omit<RawAnswer, "closed" | "ms"> | null {
  let from = 0;
  for (;;) {
    const h = parseHead(buf, from);
    if (h === "incomplete") return null;
    if (h === "malformed") throw new Error(`not an HTTP answer: ${JSON.stringify(buf.subarray(from, from + 200).toString("latin1"))}`);
    if (h.status >= 100 && h.status < 200) {
      from = h.bodyStart;
      continue;
    }
    const { status, headers, bodyStart } = h;
    if (head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
    // A live stream (SSE) goes on until the client leaves: its head, and what came with it, is the answer.
    if (status === 200 && headers.get("content-type")?.some((v) => v.startsWith("text/event-stream")))
      return { status, headers, body: buf.subarray(bodyStart) };
    if (headers.get("transfer-encoding")?.some((v) => v.toLowerCase().includes("chunked"))) {
      const body = dechunk(buf, bodyStart);
      return body ? { status, headers, body } : null;
    }
    const length = headers.get("content-length")?.[0];
    if (length !== undefined) {
      const n = Number(length);
      return buf.length >= bodyStart + n ? { status, headers, body: buf.subarray(bodyStart, bodyStart + n) } : null;
    }
    return ended ? { status, headers, body: buf.subarray(bodyStart) } : null;
  }
}

/** Sends a request on a connection of its own and reads the first final answer; never waits past `timeoutMs`. */
export function sendRaw(port: number, req: RawSend): Promise<RawOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let answer: Omit<RawAnswer, "closed" | "ms"> | null = null;
    let answeredAt = 0;
    let error: string | undefined;
    let settled = false;
    const finish = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const answered = (closed: boolean) => finish({ kind: "answer", answer: { ...answer!, closed, ms: answeredAt - started } });
    const timer = setTimeout(() => {
      if (answer) answered(false);
      else finish({ kind: "timeout", received, ms: Date.now() - started });
    }, req.timeoutMs);
    let closeTimer: NodeJS.Timeout | undefined;

    const look = (ended: boolean) => {
      if (answer) return;
      try {
        answer = parseAnswer(received, req.head ?? false, ended);
      } catch (err) {
        error = (err as Error).message;
        return finish({ kind: "no-answer", received, ms: Date.now() - started, error });
      }
      if (!answer) return;
      answeredAt = Date.now();
      const saysClose = answer.headers.get("connection")?.some((v) => v.toLowerCase() === "close") ?? false;
      const wait = req.expectClose || saysClose ? (req.closeWaitMs ?? 0) : 0;
      if (ended || wait === 0) return answered(ended);
      closeTimer = setTimeout(() => answered(false), wait);
    };
    socket.on("data", (d: Buffer) => {
      received = Buffer.concat([received, d]);
      look(false);
    });
    const ended = () => {
      clearTimeout(closeTimer);
      look(true);
      if (answer) answered(true);
      else finish({ kind: "no-answer", received, ms: Date.now() - started, ...(error ? { error } : {}) });
    };
    socket.on("end", ended);
    socket.on("close", ended);
    socket.on("error", (err) => {
      error = err.message; // a reset after the answer (the server refused the rest of a body) is no fault
    });
    socket.on("connect", async () => {
      for (const part of req.parts) {
        if (answer || socket.destroyed) return;
        if (!socket.write(part))
          await new Promise<void>((r) => {
            const go = () => {
              socket.off("drain", go).off("close", go);
              r();
            };
            socket.on("drain", go).on("close", go);
          });
      }
      if (req.halfClose && !socket.destroyed) socket.end();
    });
  });
}
