import { createHash } from "node:crypto";

/**
 * The little of RFC 6455 a demo WebSocket server needs: the handshake's accept key, frames out
 * (unmasked, as a server sends them) and frames in (masked, as a client must send them), with
 * 7-, 16- and 64-bit lengths. Extensions (compression) are not negotiated, so RSV bits are 0.
 */

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

const HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. */
export const acceptKey = (key: string): string =>
  createHash("sha1")
    .update(key + HANDSHAKE_GUID)
    .digest("base64");

export type Frame = { fin: boolean; opcode: number; payload: Buffer };

/** A server's frame: FIN set, never masked. */
export function encodeFrame(opcode: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.alloc(2) : n <= 0xffff ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (n < 126) head[1] = n;
  else if (n <= 0xffff) {
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

/** A client's frame (masked with `mask`): what tests send, and what a reader must unmask. */
export function encodeClientFrame(opcode: number, payload: Buffer, mask: Buffer, fin = true): Buffer {
  const frame = encodeFrame(opcode, payload);
  const headLength = frame.length - payload.length;
  frame[0] = (fin ? 0x80 : 0) | opcode;
  frame[1]! |= 0x80;
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([frame.subarray(0, headLength), mask, masked]);
}

/** Why a client's bytes cannot be read as frames: the close code to answer with and the reason. */
export class FrameError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a client's frames from the bytes of its socket, in chunks of any size. Throws a
 * FrameError on an unmasked frame (1002) or a payload over `maxPayload` (1009).
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPayload = 1_048_576) {}

  feed(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Frame[] = [];
    // Each turn takes one whole frame off the buffer, or stops: bounded by the buffer's length.
    for (;;) {
      const frame = this.take();
      if (frame === null) return frames;
      frames.push(frame);
    }
  }

  private take(): Frame | null {
    const b = this.buffered;
    if (b.length < 2) return null;
    if ((b[1]! & 0x80) === 0) throw new FrameError(1002, "a client's frame must be masked");
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.maxPayload)) throw new FrameError(1009, "a frame too large");
      length = Number(big);
      offset = 10;
    }
    if (length > this.maxPayload) throw new FrameError(1009, "a frame too large");
    if (b.length < offset + 4 + length) return null;
    const mask = b.subarray(offset, offset + 4);
    const payload = Buffer.from(b.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
    this.buffered = b.subarray(offset + 4 + length);
    return { fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload };
  }
}
