import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export type SelfSigned = { key: string; cert: string };

/**
 * A throwaway self-signed certificate for localhost and 127.0.0.1 (EC P-256, two days), made by
 * the openssl CLI in a temporary folder removed at once: Node makes keys, not certificates.
 */
export async function selfSignedCertificate(): Promise<SelfSigned> {
  const dir = await mkdtemp(join(tmpdir(), "loadline-demo-tls-"));
  try {
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    await promisify(execFile)(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"],
        ...["-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
      ],
      { timeout: 10_000 },
    );
    return { key: await readFile(key, "utf8"), cert: await readFile(cert, "utf8") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type H2Listener = {
  url: string;
  /** HTTP/2 sessions accepted so far: one per connection that agreed on h2. */
  sessions(): number;
  close(): Promise<void>;
};

/**
 * A TLS server speaking HTTP/2, and HTTP/1.1 to clients that do not offer h2 (ALPN), that answers
 * with `handler`: node:http2's compatibility API mirrors node:http's request and response in
 * everything the demo's handler uses, so one handler serves both servers.
 */
export async function listenH2(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  tls: SelfSigned,
  port: number,
  host: string,
): Promise<H2Listener> {
  const compat = handler as unknown as (req: Http2ServerRequest, res: Http2ServerResponse) => void;
  const server = createSecureServer({ ...tls, allowHTTP1: true }, compat);
  let sessions = 0;
  const sockets = new Set<Socket>();
  server.on("session", () => sessions++);
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `https://${host}:${bound}`,
    sessions: () => sessions,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // Open connections hold close() until they end.
        for (const s of sockets) s.destroy();
      }),
  };
}
