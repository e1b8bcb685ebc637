import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { freePort } from "../embedded-nats.ts";

/** A Postgres of the test's own (initdb in `dir`, a free port), so that it can be stopped and started again (on the same port). */
export type OwnPostgres = { url: string; stop(): void; start(): void; destroy(): void };

function binDir(): string {
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(`${d}/initdb`));
  if (!dir) throw new Error("Postgres server binaries are not installed (Debian: apt-get install postgresql)");
  return dir;
}

/** initdb refuses to run as root: as root, the server runs as the postgres user. */
function run(command: string[], asPostgres: boolean): void {
  if (asPostgres) execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", command.map((a) => `'${a}'`).join(" ")], { stdio: "ignore" });
  else execFileSync(command[0]!, command.slice(1), { stdio: "ignore" });
}

/** First starts on a port chosen free: another process may bind it before Postgres does (the port is then chosen again). */
const START_ATTEMPTS = 5;
/** What the server logs when its port (or the socket file named for it) is another process's. */
const PORT_TAKEN = /address already in use|lock file .* already exists/i;

export async function ownPostgres(dir: string): Promise<OwnPostgres> {
  const bin = binDir();
  let port = 0;
  const root = process.getuid?.() === 0;
  mkdirSync(dir, { recursive: true });
  if (root)
    chownSync(
      dir,
      Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
      Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
    );
  run([`${bin}/initdb`, "-D", dir, "-A", "trust", "-U", "postgres"], root);
  const pgctl = (...args: string[]) => run([`${bin}/pg_ctl`, "-D", dir, ...args], root);
  const logFile = `${dir}/log`;
  const start = () => pgctl("-o", `-c listen_addresses=127.0.0.1 -p ${port} -k /tmp -c fsync=off`, "-l", logFile, "-w", "start");
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const logged = existsSync(logFile) ? statSync(logFile).size : 0;
    try {
      start();
      break;
    } catch (err) {
      const said = existsSync(logFile) ? readFileSync(logFile).subarray(logged).toString() : "";
      if (attempt >= START_ATTEMPTS || !PORT_TAKEN.test(said)) throw err;
    }
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop: () => pgctl("-m", "fast", "-w", "stop"),
    destroy: () => {
      try {
        pgctl("-m", "immediate", "-w", "stop");
      } catch {
        // not running
      }
    },
  };
}
