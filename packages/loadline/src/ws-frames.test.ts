import { describe, expect, it } from "vitest";
import { acceptKey, encodeClientFrame, encodeFrame, FrameError, FrameReader, OPCODE } from "./ws-frames.ts";

const MASK = Buffer.from([1, 2, 3, 4]);

describe("ws frames", () => {
  it("computes the handshake's accept key (RFC 6455's example)", () => {
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("encodes a server's text frame unmasked, with 7-, 16- and 64-bit lengths", () => {
    expect([...encodeFrame(OPCODE.text, Buffer.from("Hello"))]).toEqual([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    const medium = encodeFrame(OPCODE.text, Buffer.alloc(300));
    expect([medium[1], medium.readUInt16BE(2), medium.length]).toEqual([126, 300, 304]);
    const large = encodeFrame(OPCODE.binary, Buffer.alloc(70_000));
    expect([large[1], Number(large.readBigUInt64BE(2)), large.length]).toEqual([127, 70_000, 70_010]);
  });

  it("reads masked client frames split anywhere, several in a chunk", () => {
    const bytes = Buffer.concat([
      encodeClientFrame(OPCODE.text, Buffer.from("héllo"), MASK),
      encodeClientFrame(OPCODE.ping, Buffer.alloc(0), MASK),
      encodeClientFrame(OPCODE.text, Buffer.alloc(500, 97), MASK),
    ]);
    const reader = new FrameReader();
    const frames = [...bytes].flatMap((b) => reader.feed(Buffer.from([b])));
    expect(frames.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
      [true, OPCODE.text, 6],
      [true, OPCODE.ping, 0],
      [true, OPCODE.text, 500],
    ]);
    expect(frames[0]!.payload.toString()).toBe("héllo");
    expect(new FrameReader().feed(bytes)).toHaveLength(3);
  });

  it("keeps FIN off on a fragment", () => {
    const [frame] = new FrameReader().feed(encodeClientFrame(OPCODE.text, Buffer.from("a"), MASK, false));
    expect(frame).toMatchObject({ fin: false, opcode: OPCODE.text });
  });

  it("refuses an unmasked frame (1002) and one too large (1009)", () => {
    expect(() => new FrameReader().feed(encodeFrame(OPCODE.text, Buffer.from("x")))).toThrow(FrameError);
    const big = encodeClientFrame(OPCODE.text, Buffer.alloc(2000), MASK);
    try {
      new FrameReader(1000).feed(big);
      expect.unreachable();
    } catch (e) {
      expect((e as FrameError).code).toBe(1009);
    }
  });
});
