/**
 * The deployment files (infra/docker, infra/compose, infra/k8s, the Prometheus configs and the
 * walk-through in docs/operations.md) held to the code they deploy. No container runtime runs
 * here, so nothing is started: every manifest is parsed and each setting is compared with its
 * source of truth, the code or the repository's own config files. The environment a service reads
 * is found by running its real config loaders over a recording environment; its port, by reading
 * its entry point; its probe paths, by asking the real ops routes; the NATS users, from
 * infra/nats/accounts.conf; the secrets, by running infra/compose/make-secrets.sh.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { NATS_AUTH_ENV, natsAuthFromEnv, natsConnectionOptions } from "@loadline/nats";
import {
  createAuthenticator,
  createRegistry,
  keyringFromEnv,
  loadAuthConfig,
  loadConfig,
  loadPlatformDefaults,
  opsRoutes,
} from "@loadline/service";
import { WorkerMetrics } from "@loadline/worker";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { allowedHostsFor, hostAllowed } from "../packages/service/src/allowed-hosts.ts";

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked by hand and checked as it goes
type Y = any;
type Env = Record<string, string>;

const ROOT = path.resolve(import.meta.dirname, "..");
const read = (rel: string): string => readFileSync(path.join(ROOT, rel), "utf8");
const unique = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];
const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

// ---------------------------------------------------------------------------------------------
// Sources of truth: the code and the repository's NATS and Postgres configs.
// ---------------------------------------------------------------------------------------------

/** The services that listen (a Deployment each); migrate is a step, `loadline` the CLI. */
const SERVERS = ["api", "orchestrator", "worker", "projections", "agent"] as const;
type Kind = string;

/** infra/docker/entrypoint.sh: command -> the bundle it runs and the arguments it adds. */
const ENTRYPOINT = read("infra/docker/entrypoint.sh");
const COMMANDS: Map<Kind, { pkg: string; bundle: string; args: string[] }> = new Map(
  [...ENTRYPOINT.matchAll(/^\s*([a-z]+)\) exec node (?:--[a-z-]+ )*packages\/([a-z]+)\/dist\/([a-z-]+)\.js((?: [a-z]+)*) "\$@" ;;$/gm)].map(
    (m) => [m[1]!, { pkg: m[2]!, bundle: m[3]!, args: m[4]!.trim().split(" ").filter(Boolean) }],
  ),
);

/** The source files a command runs whose environment reads count: its entry and what that entry imports of its own. */
function sourcesOf(kind: Kind): string[] {
  const c = COMMANDS.get(kind);
  if (!c) throw new Error(`the entrypoint has no command ${kind}`);
  const entry = `packages/${c.pkg}/src/${c.bundle}.ts`;
  const relativeImports = (file: string) =>
    [...read(file).matchAll(/^import [^;]*? from "(\.\.?\/[^"]+\.ts)";$/gm)].map((m) => path.join(path.dirname(file), m[1]!));
  if (c.bundle !== "cli") return [entry, ...relativeImports(entry)];
  const commands = `packages/${c.pkg}/src/commands`;
  // The CLI as such (`loadline <command>`): every command.
  if (c.args.length === 0)
    return [
      entry,
      ...readdirSync(path.join(ROOT, commands))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => `${commands}/${f}`),
    ];
  // One command of it: the CLI's own file, the context every command gets, the command (commands/<name>.ts) and its imports.
  const command = `${commands}/${c.args[0]}.ts`;
  return unique([entry, `${commands}/context.ts`, command, ...relativeImports(command)]);
}

/** The port a server listens on when PORT is unset: read from its entry point. */
function defaultPortOf(kind: Kind): number {
  const c = COMMANDS.get(kind)!;
  const src = read(`packages/${c.pkg}/src/${c.bundle}.ts`);
  if (c.bundle === "cli") {
    expect(src, "the CLI serves this command on its default port").toMatch(new RegExp(`const serving = [^;]*command === "${c.args[0]}"`));
    return Number(/defaultPort: serving \? (\d+)/.exec(src)![1]);
  }
  const given = /listen\(app, config\.port \?\? (\w+)/.exec(src)![1]!;
  return /^\d+$/.test(given) ? Number(given) : Number(new RegExp(`const ${given} = (\\d+);`).exec(src)![1]);
}

/**
 * Every environment variable a command's code reads: the config loaders its sources call, run
 * over an environment that records each name asked for, and the names read from process.env directly.
 */
function envReadBy(kind: Kind): Set<string> {
  const src = sourcesOf(kind)
    .map((f) => read(f))
    .join("\n");
  const seen = new Set<string>();
  const note = (k: string | symbol) => {
    if (typeof k === "string") seen.add(k);
  };
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_t, k) => {
      note(k);
      return undefined;
    },
    has: (_t, k) => {
      note(k);
      return false;
    },
  });
  loadConfig(env);
  if (src.includes("loadAuthConfig(")) loadAuthConfig(env);
  if (src.includes("loadPlatformDefaults(")) loadPlatformDefaults(env);
  if (src.includes("keyringFromEnv(")) keyringFromEnv(env);
  if (src.includes("connectNats(") || src.includes("natsAuthFromEnv(")) natsAuthFromEnv(env);
  for (const m of src.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\["([A-Z][A-Z0-9_]*)"\])/g)) seen.add((m[1] ?? m[2])!);
  return seen;
}

/** Whether a command connects to NATS (migrate runs before the projections' main connects, and exits). */
const connectsToNats = (kind: Kind) =>
  kind !== "migrate" &&
  sourcesOf(kind)
    .map(read)
    .some((s) => s.includes("connectNats(") || s.includes("natsAuthFromEnv("));

const isServerOrStep = (kind: Kind) => (SERVERS as readonly string[]).includes(kind) || kind === "migrate";

/** What the code itself refuses to run without, or would run wrong without, in a container. */
function requiredEnv(kind: Kind, env: Env, readFile: (p: string) => string): void {
  const config = loadConfig(env);
  loadAuthConfig(env);
  loadPlatformDefaults(env);
  if (SERVERS.includes(kind as (typeof SERVERS)[number]))
    expect(allowedHostsFor(config.host, undefined), `${kind}: HOST ${config.host} is its container's own loopback`).toBeNull();
  if (connectsToNats(kind)) {
    expect(config.natsUrl, `${kind}: NATS_URL`).not.toMatch(/127\.0\.0\.1|localhost/);
    const auth = natsAuthFromEnv(env);
    // accounts.conf lets nobody in without a user and password, and every server config requires TLS.
    expect(auth.credentials?.kind, `${kind}: NATS_USER and NATS_PASSWORD`).toBe("password");
    expect(auth.tls?.caFile, `${kind}: NATS_TLS_CA_FILE`).toBeTruthy();
    expect(readFile(auth.tls!.caFile!), `${kind}: the CA at NATS_TLS_CA_FILE`).toContain("BEGIN CERTIFICATE");
  }
  // The CLI as such (the operator's tool): what each of its commands needs is its own, NATS aside.
  if (!isServerOrStep(kind)) return;
  const src = sourcesOf(kind).map(read).join("\n");
  if (kind === "api") expect(src, "loadline api exits without DATABASE_URL").toContain("if (!config.databaseUrl)");
  if (kind === "api" || kind === "projections") expect(config.databaseUrl, `${kind}: DATABASE_URL (else PGlite)`).toBeTruthy();
  if (kind === "migrate") expect(config.databaseMigrateUrl || config.databaseUrl, "migrate: DATABASE_MIGRATE_URL").toBeTruthy();
  if (kind !== "migrate" && src.includes("keyringFromEnv(")) {
    // The API seals secrets, workers open them, projections sign webhooks with them: without a
    // keyring a run with secrets fails and no webhook is sent (migrate shares the projections'
    // main but exits before it reads the keyring).
    expect(keyringFromEnv(env, readFile).configured, `${kind}: LL_SECRETS_KEY_FILE or LL_SECRETS_KEYS`).toBe(true);
  }
  if (kind === "api") {
    const auth = loadAuthConfig(env);
    expect(auth.bootstrapKeyFile, "api: LL_BOOTSTRAP_KEY_FILE, the first admin's key").toBeTruthy();
    // The authenticator reads the file by its path: the key the container would find there, in a file here.
    const dir = mkdtempSync(path.join(tmpdir(), "ll-deploy-key-"));
    try {
      const file = path.join(dir, "admin-key");
      writeFileSync(file, readFile(auth.bootstrapKeyFile!));
      expect(() => createAuthenticator({ ...auth, bootstrapKeyFile: file }, async () => null)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** infra/nats/accounts.conf: its users, their password variables and permissions. */
const ACCOUNTS = read("infra/nats/accounts.conf").replace(/#.*$/gm, "");
const NATS_USERS = [...ACCOUNTS.matchAll(/\{\s*user:\s*([\w-]+),\s*password:\s*\$(\w+)(?:,\s*permissions:\s*\$(\w+))?\s*\}/g)].map((m) => ({
  user: m[1]!,
  passwordVar: m[2]!,
  permissions: m[3],
}));
const natsUser = (user: string) => NATS_USERS.find((u) => u.user === user);
/** The subjects a user may subscribe to (undefined: anything, as the operator). */
function subscribeAllow(user: string): string[] | undefined {
  const name = natsUser(user)?.permissions;
  if (!name) return undefined;
  const block = new RegExp(`^${name} = \\{([\\s\\S]*?)^\\}`, "m").exec(ACCOUNTS)![1]!;
  return [.../\bsubscribe:\s*\{\s*allow:\s*\[([^\]]*)\]/.exec(block)![1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}
/** The namespace accounts.conf's subjects are written for (`ll.evt.>`). */
const ACCOUNTS_NAMESPACE = /"(\w+)\.evt\.>"/.exec(ACCOUNTS)![1]!;

type NatsConf = { listen: number; http: number; cluster?: number; routes: { host: string; port: number }[]; text: string };
function natsConf(text: string): NatsConf {
  const clusterBlock = /^cluster\s*\{([\s\S]*)^\}/m.exec(text)?.[1];
  return {
    listen: Number(/^listen:\s*[\w.]+:(\d+)/m.exec(text)![1]),
    http: Number(/^http:\s*[\w.]+:(\d+)/m.exec(text)![1]),
    ...(clusterBlock ? { cluster: Number(/^\s*listen:\s*[\w.]+:(\d+)/m.exec(clusterBlock)![1]) } : {}),
    routes: [...text.matchAll(/nats-route:\/\/([\w.-]+):(\d+)/g)].map((m) => ({ host: m[1]!, port: Number(m[2]) })),
    text,
  };
}
const tlsFilesOf = (conf: string) => unique([...conf.matchAll(/(?:cert_file|key_file|ca_file):\s*"([^"]+)"/g)].map((m) => m[1]!));

/** The worker's Prometheus series, as it registers them. */
function workerSeries(): { name: string; type: string }[] {
  const registry = new Registry();
  new WorkerMetrics(registry);
  return (registry.getMetricsAsArray() as unknown as { name: string; type: string }[]).map((m) => ({ name: m.name, type: String(m.type) }));
}

/** What the real ops routes answer on `p` when the service is not ready. */
async function opsAnswer(p: string, ready: boolean): Promise<number> {
  return (await opsRoutes({ ready: () => ready, registry: createRegistry("deployment-test") }).request(p)).status;
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile.
// ---------------------------------------------------------------------------------------------

type Stage = { from: string; name?: string; lines: { op: string; rest: string }[] };
function dockerfile(): { args: Env; stages: Stage[] } {
  const lines = read("infra/docker/Dockerfile")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const args: Env = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, rest] = /^(\w+)\s+(.*)$/.exec(line)!;
    if (op === "ARG" && stages.length === 0) {
      const [k, v = ""] = rest!.split("=");
      args[k!] = v;
    } else if (op === "FROM") {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest!)!;
      stages.push({ from: image!.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? ""), ...(name ? { name } : {}), lines: [] });
    } else stages.at(-1)!.lines.push({ op: op!, rest: rest! });
  }
  return { args, stages };
}
const DOCKER = dockerfile();
const RUNTIME = DOCKER.stages.at(-1)!;
/** The runtime image's ENV: every Loadline container starts with it. */
const IMAGE_ENV: Env = Object.fromEntries(
  RUNTIME.lines.filter((l) => l.op === "ENV").flatMap((l) => [...l.rest.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!] as const)),
);
const IMAGE_USER = RUNTIME.lines.filter((l) => l.op === "USER").at(-1)?.rest ?? "root";
const IMAGE_UID = Number(IMAGE_USER.split(":")[0]);
const jsonArray = (rest: string): string[] => JSON.parse(rest) as string[];

/** .dockerignore's patterns, as a test of a path relative to the context (the repository root). */
function dockerIgnored(rel: string): boolean {
  const patterns = read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const glob = (part: string) =>
    part
      .replace(/[.+^$()|[\]\\{}]/g, "\\$&")
      .replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]");
  const regexOf = (p: string) => new RegExp(`^${p.split("**/").map(glob).join("(?:.*/)?")}$`);
  const prefixes = rel.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const p of patterns) {
    const negate = p.startsWith("!");
    const re = regexOf(negate ? p.slice(1) : p);
    if (prefixes.some((x) => re.test(x))) ignored = !negate;
  }
  return ignored;
}

describe("the image (infra/docker)", () => {
  it("is built on Node 22 in every stage", () => {
    expect(DOCKER.stages.length).toBeGreaterThanOrEqual(2);
    for (const s of DOCKER.stages) expect(s.from, "node:22 (LTS)").toMatch(/^node:22(?:[.-]|$)/);
  });

  it("runs as a user other than root, the uid the Kubernetes pods are told to run as", () => {
    expect(IMAGE_USER).not.toMatch(/^(root|0)(:|$)/);
    expect(IMAGE_UID).toBeGreaterThan(0);
    expect(
      RUNTIME.lines.some((l) => l.op === "RUN" && l.rest.includes(`--uid ${IMAGE_UID}`)),
      "the user is made in the image",
    ).toBe(true);
  });

  it("installs every workspace before its build, bundles the services and keeps no dev dependency", () => {
    const build = DOCKER.stages[0]!;
    const copies = build.lines.filter((l) => l.op === "COPY").map((l) => l.rest);
    const workspaces = readdirSync(path.join(ROOT, "packages")).filter((d) => existsSync(path.join(ROOT, "packages", d, "package.json")));
    const npmCi = build.lines.findIndex((l) => l.op === "RUN" && /\bnpm ci\b/.test(l.rest));
    expect(npmCi).toBeGreaterThan(0);
    for (const w of workspaces) {
      const at = build.lines.findIndex((l) => l.op === "COPY" && l.rest.startsWith(`packages/${w}/package.json `));
      expect(at, `packages/${w}/package.json is copied before npm ci`).toBeGreaterThanOrEqual(0);
      expect(at, `packages/${w}/package.json is copied before npm ci`).toBeLessThan(npmCi);
    }
    const rootPkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    if (rootPkg.scripts.postinstall?.includes("patch-package")) expect(copies).toContain("patches ./patches");
    const after = build.lines.slice(npmCi + 1).filter((l) => l.op === "RUN");
    expect(after.some((l) => l.rest.includes("npm run build --workspaces"))).toBe(true);
    expect(after.some((l) => /npm prune --omit=dev/.test(l.rest))).toBe(true);
    // The runtime stage takes the pruned dependencies and the packages (sources, bundles, migrations) from it.
    const fromBuild = RUNTIME.lines.filter((l) => l.op === "COPY" && l.rest.startsWith(`--from=${build.name} `)).map((l) => l.rest);
    expect(fromBuild).toEqual(
      expect.arrayContaining([`--from=${build.name} /app/node_modules ./node_modules`, `--from=${build.name} /app/packages ./packages`]),
    );
  });

  it("runs the bundles the build makes for each command of its entrypoint", () => {
    const entry = RUNTIME.lines.find((l) => l.op === "ENTRYPOINT")!;
    const script = jsonArray(entry.rest)[0]!;
    expect(RUNTIME.lines.some((l) => l.op === "COPY" && l.rest.endsWith(`infra/docker/entrypoint.sh ${script}`))).toBe(true);
    expect(statSync(path.join(ROOT, "infra/docker/entrypoint.sh")).mode & 0o111, "entrypoint.sh is executable").toBeTruthy();
    const builder = read("scripts/build-service.mjs");
    for (const kind of [...SERVERS, "migrate", "loadline"]) {
      const c = COMMANDS.get(kind);
      expect(c, `entrypoint command ${kind}`).toBeDefined();
      expect(existsSync(path.join(ROOT, `packages/${c!.pkg}/src/${c!.bundle}.ts`)), `${kind}'s entry`).toBe(true);
      expect(builder, `build-service.mjs bundles src/${c!.bundle}.ts`).toContain(`"src/${c!.bundle}.ts"`);
      const pkg = JSON.parse(read(`packages/${c!.pkg}/package.json`)) as { scripts?: Record<string, string> };
      expect(pkg.scripts?.build, `${c!.pkg} has the build that makes dist/${c!.bundle}.js`).toContain("scripts/build-service.mjs");
    }
    // migrate is the projections' own migration step.
    expect(COMMANDS.get("migrate")!.args).toEqual(["migrate"]);
    const projectionsMain = read("packages/projections/src/main.ts");
    expect(projectionsMain.indexOf('process.argv[2] === "migrate"'), "migrate exits before NATS is dialled").toBeGreaterThan(0);
    expect(projectionsMain.indexOf('process.argv[2] === "migrate"')).toBeLessThan(projectionsMain.indexOf("connectNats("));
    expect(COMMANDS.get(jsonArray(RUNTIME.lines.find((l) => l.op === "CMD")!.rest)[0]!), "the default CMD is a command").toBeDefined();
  });

  it("exposes the services' ports and listens beyond its own loopback", () => {
    const exposed = RUNTIME.lines
      .filter((l) => l.op === "EXPOSE")
      .flatMap((l) => l.rest.split(/\s+/))
      .map(Number);
    expect(exposed.sort()).toEqual(SERVERS.map(defaultPortOf).sort());
    expect(allowedHostsFor(loadConfig(IMAGE_ENV).host, undefined)).toBeNull();
    for (const k of Object.keys(IMAGE_ENV)) expect(envReadBy("orchestrator"), `ENV ${k} is read by the services`).toContain(k);
  });

  it("leaves out of the build context nothing the build copies, and no secret", () => {
    for (const needed of [
      "package.json",
      "package-lock.json",
      "patches/postgres+3.4.9.patch",
      "scripts/build-service.mjs",
      "infra/docker/entrypoint.sh",
      "packages/projections/drizzle/meta/_journal.json",
      "packages/worker/src/main.ts",
      "packages/console/build.mjs",
    ]) {
      expect(existsSync(path.join(ROOT, needed)), needed).toBe(true);
      expect(dockerIgnored(needed), needed).toBe(false);
    }
    for (const kept of ["node_modules/yaml/package.json", "packages/worker/dist/main.js", "infra/compose/secrets/admin-key", ".git/HEAD"])
      expect(dockerIgnored(kept), kept).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The secrets, made by make-secrets.sh as a deployment would make them.
// ---------------------------------------------------------------------------------------------

let secretsDir: string;
const secretFile = (name: string) => path.join(secretsDir, name);
function envFile(file: string): Env {
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const),
  );
}

beforeAll(() => {
  secretsDir = mkdtempSync(path.join(tmpdir(), "ll-deploy-secrets-"));
  execFileSync("bash", [path.join(ROOT, "infra/compose/make-secrets.sh"), secretsDir, "nats-0.nats.loadline.svc"], { stdio: "pipe" });
});
afterAll(() => {
  if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
});

describe("make-secrets.sh", () => {
  it("gives every NATS user of accounts.conf a password nats-server can read, and each user's alone to its services", () => {
    const server = envFile(secretFile("nats-server.env"));
    expect(sorted(Object.keys(server))).toEqual(sorted(NATS_USERS.map((u) => u.passwordVar)));
    for (const { user, passwordVar } of NATS_USERS) {
      expect(server[passwordVar], "letters and digits, a letter first (docs/operations.md)").toMatch(/^[A-Za-z][A-Za-z0-9]{15,}$/);
      expect(envFile(secretFile(`nats-${user}.env`))).toEqual({ NATS_PASSWORD: server[passwordVar] });
    }
  });

  it("makes a bootstrap key and a keyring the code accepts, readable by the image's user", () => {
    expect(() => createAuthenticator({ ...loadAuthConfig({}), bootstrapKeyFile: secretFile("admin-key") }, async () => null)).not.toThrow();
    expect(keyringFromEnv({ LL_SECRETS_KEY_FILE: secretFile("secrets.key") }).configured).toBe(true);
    for (const f of ["admin-key", "secrets.key", "nats-tls/ca.pem"]) expect(statSync(secretFile(f)).mode & 0o004, f).toBeTruthy();
    expect(statSync(secretsDir).mode & 0o077, "the folder is its owner's alone").toBe(0);
  });

  it("gives the services the app role and the migrations the owner role of roles.sql", () => {
    const roles = read("infra/postgres/roles.sql");
    const roleDefault = (v: string) => new RegExp(`\\\\set ${v} (\\w+)`).exec(roles)![1];
    const pg = envFile(secretFile("postgres.env"));
    const app = new URL(envFile(secretFile("db.env")).DATABASE_URL!);
    const owner = new URL(envFile(secretFile("migrate.env")).DATABASE_MIGRATE_URL!);
    expect(app.username).toBe(roleDefault("app_role"));
    expect(decodeURIComponent(app.password)).toBe(pg.LOADLINE_APP_PASSWORD);
    expect(owner.username).toBe(roleDefault("owner_role"));
    expect(decodeURIComponent(owner.password)).toBe(pg.LOADLINE_OWNER_PASSWORD);
    expect(roles).toContain(":{?owner_password}");
    expect(roles).toContain(":{?app_password}");
  });

  it("replaces nothing when run again", () => {
    const before = ["nats-server.env", "admin-key", "secrets.key", "nats-tls/ca.pem", "postgres.env"].map((f) =>
      readFileSync(secretFile(f), "utf8"),
    );
    execFileSync("bash", [path.join(ROOT, "infra/compose/make-secrets.sh"), secretsDir], { stdio: "pipe" });
    const after = ["nats-server.env", "admin-key", "secrets.key", "nats-tls/ca.pem", "postgres.env"].map((f) =>
      readFileSync(secretFile(f), "utf8"),
    );
    expect(after).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Kubernetes.
// ---------------------------------------------------------------------------------------------

const K8S_DIR = "infra/k8s";
const k8sFiles = readdirSync(path.join(ROOT, K8S_DIR)).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
const K8S: Y[] = k8sFiles.flatMap((f) =>
  parseAllDocuments(read(`${K8S_DIR}/${f}`)).map((d) => {
    if (d.errors.length > 0) throw new Error(`${f}: ${d.errors.map((e) => e.message).join("; ")}`);
    return { ...(d.toJS() as Y), __file: f };
  }),
);
const ofKind = (kind: string): Y[] => K8S.filter((o) => o.kind === kind);
const named = (kind: string, name: string): Y => K8S.find((o) => o.kind === kind && o.metadata?.name === name);
const workloads = (): Y[] => K8S.filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind));
const LOADLINE_IMAGE = "loadline";
const loadlineContainers = (): { workload: Y; container: Y; kind: Kind }[] =>
  workloads().flatMap((w) =>
    (w.spec.template.spec.containers as Y[])
      .filter((c) => c.image === LOADLINE_IMAGE)
      .map((container) => ({ workload: w, container, kind: (container.args ?? [])[0] as Kind })),
  );

type DocsObjects = { secrets: Map<string, Map<string, string | null>>; configMaps: Map<string, Map<string, string>> };
let docsObjects: DocsObjects | undefined;
function docsK8sObjects(): DocsObjects {
  docsObjects ??= readDocsK8sObjects();
  return docsObjects;
}
/** docs/operations.md's `kubectl create secret generic` and `create configmap` commands: name -> key -> file of make-secrets (or null for a literal). */
function readDocsK8sObjects(): DocsObjects {
  const blocks = [...read("docs/operations.md").matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, " "));
  const secrets = new Map<string, Map<string, string | null>>();
  const configMaps = new Map<string, Map<string, string>>();
  for (const line of blocks.flatMap((b) => b.split("\n"))) {
    const secret = /create secret generic ([\w-]+)(.*)$/.exec(line);
    const cm = /create configmap ([\w-]+)(.*)$/.exec(line);
    if (secret) {
      const keys = new Map<string, string | null>();
      for (const m of secret[2]!.matchAll(/--from-(file|env-file|literal)=(\S+)/g)) {
        const [, how, arg] = m;
        if (how === "literal") keys.set(arg!.slice(0, arg!.indexOf("=")), null);
        else if (how === "file") {
          const [key, file] = arg!.includes("=") ? arg!.split("=") : [path.basename(arg!), arg!];
          keys.set(key!, file!.replace(/^\$\{?SECRETS\}?\//, ""));
        } else for (const k of Object.keys(envFile(secretFile(arg!.replace(/^\$\{?SECRETS\}?\//, ""))))) keys.set(k, null);
      }
      secrets.set(secret[1]!, keys);
    } else if (cm) {
      const keys = new Map<string, string>();
      for (const m of cm[2]!.matchAll(/--from-file=(\S+)/g)) keys.set(path.basename(m[1]!), m[1]!);
      configMaps.set(cm[1]!, keys);
    }
  }
  return { secrets, configMaps };
}

/** A container's environment as Kubernetes gives it: the image's ENV, envFrom, env. Secret values: their make-secrets file, or a stand-in. */
function k8sEnv(container: Y): Env {
  const { secrets } = docsK8sObjects();
  const env: Env = { ...(container.image === LOADLINE_IMAGE ? IMAGE_ENV : {}) };
  const secretValue = (name: string, key: string): string => {
    const keys = secrets.get(name);
    expect(keys, `docs/operations.md creates the Secret ${name}`).toBeDefined();
    expect([...keys!.keys()], `Secret ${name} has key ${key}`).toContain(key);
    const file = keys!.get(key);
    if (file) return readFileSync(secretFile(file), "utf8");
    if (name === "loadline-nats") return envFile(secretFile("nats-server.env"))[key]!;
    return `postgres://from-secret-${name}-${key}@db.example.com:5432/loadline`;
  };
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, named("ConfigMap", from.configMapRef.name).data);
    else
      for (const key of docsK8sObjects().secrets.get(from.secretRef.name)?.keys() ?? []) env[key] = secretValue(from.secretRef.name, key);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef) env[e.name] = secretValue(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
    else if (e.valueFrom?.fieldRef) env[e.name] = `field:${e.valueFrom.fieldRef.fieldPath}`;
  }
  return env;
}

/** The content of a file a container reads at `p`: the Secret or ConfigMap key mounted there. */
function k8sFileReader(workload: Y, container: Y): (p: string) => string {
  const { secrets } = docsK8sObjects();
  return (p) => {
    const mount = (container.volumeMounts as Y[]).find((m) => p.startsWith(`${m.mountPath}/`));
    if (!mount) throw new Error(`${p} is not mounted in ${container.name}`);
    const rest = p.slice(mount.mountPath.length + 1);
    const volume = (workload.spec.template.spec.volumes as Y[]).find((v) => v.name === mount.name);
    const secret = volume?.secret;
    if (!secret) throw new Error(`${p}: volume ${mount.name} is not a Secret`);
    const item = (secret.items as Y[] | undefined)?.find((i) => i.path === rest) ?? (secret.items ? undefined : { key: rest });
    if (!item) throw new Error(`${p}: the Secret ${secret.secretName} is mounted without ${rest}`);
    const file = secrets.get(secret.secretName)?.get(item.key);
    if (!file) throw new Error(`${p}: docs/operations.md creates no key ${item.key} in ${secret.secretName} from a file`);
    return readFileSync(secretFile(file), "utf8");
  };
}

/** A probe's or Service's port: a number, or a container port's name. */
const portOf = (container: Y, port: number | string): number =>
  typeof port === "number" ? port : (container.ports as Y[]).find((p) => p.name === port)?.containerPort;

describe("Kubernetes (infra/k8s)", () => {
  const natsSts = named("StatefulSet", "nats");
  const namespace = ofKind("Namespace")[0].metadata.name as string;

  it("puts every object in the one namespace, and kustomization.yaml lists every manifest", () => {
    for (const o of K8S.filter((x) => x.kind !== "Namespace")) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(namespace);
    const kustomization = parseYaml(read(`${K8S_DIR}/kustomization.yaml`)) as Y;
    expect(sorted(kustomization.resources)).toEqual(sorted(k8sFiles));
    expect(kustomization.namespace).toBe(namespace);
    expect(kustomization.images.map((i: Y) => i.name)).toEqual([LOADLINE_IMAGE]);
  });

  it("runs a Deployment and a Service for each service, and the migrations as a Job, all on the image's commands", () => {
    const byKind = new Map(loadlineContainers().map((c) => [c.kind, c]));
    for (const kind of SERVERS) {
      const c = byKind.get(kind);
      expect(c?.workload.kind, `${kind} runs as a Deployment`).toBe("Deployment");
      const service = ofKind("Service").find((s) => s.metadata.name === c!.workload.metadata.name);
      expect(service, `${kind} has a Service`).toBeDefined();
      for (const [k, v] of Object.entries(service.spec.selector)) expect(c!.workload.spec.template.metadata.labels[k]).toBe(v);
    }
    expect(byKind.get("migrate")?.workload.kind).toBe("Job");
    for (const { kind } of loadlineContainers()) expect(COMMANDS.has(kind), `${kind} is a command of the image`).toBe(true);
  });

  it("sets only environment variables the code reads, and every one a service needs", () => {
    const { configMaps } = docsK8sObjects();
    expect(configMaps.get("nats-accounts")?.get("accounts.conf")).toBe("infra/nats/accounts.conf");
    for (const { workload, container, kind } of loadlineContainers()) {
      const env = k8sEnv(container);
      const reads = envReadBy(kind);
      for (const name of Object.keys(env)) expect(reads, `${kind} sets ${name}: the code reads it`).toContain(name);
      requiredEnv(kind, env, k8sFileReader(workload, container));
    }
  });

  it("gives every server's container port, probes and Service its real port and the ops routes' paths", async () => {
    for (const { workload, container, kind } of loadlineContainers().filter((c) => c.kind !== "migrate")) {
      const port = loadConfig(k8sEnv(container)).port ?? defaultPortOf(kind);
      expect(portOf(container, "http"), `${kind}'s container port`).toBe(port);
      expect(container.ports).toHaveLength(1);
      for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
        const get = container[probe]?.httpGet;
        expect(get, `${kind} ${probe}`).toBeDefined();
        expect(portOf(container, get.port), `${kind} ${probe} port`).toBe(port);
      }
      // Liveness: alive even while not ready (else a service catching up is killed). Readiness: 503 until ready.
      expect(await opsAnswer(container.livenessProbe.httpGet.path, false), `${kind} liveness path`).toBe(200);
      expect(await opsAnswer(container.startupProbe.httpGet.path, false), `${kind} startup path`).toBe(200);
      expect(await opsAnswer(container.readinessProbe.httpGet.path, false), `${kind} readiness path`).toBe(503);
      expect(await opsAnswer(container.readinessProbe.httpGet.path, true)).toBe(200);
      // The probes send the pod's address as Host: the service must answer to it.
      const allowed = allowedHostsFor(loadConfig(k8sEnv(container)).host, loadConfig(k8sEnv(container)).allowedHosts);
      for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
        const host = (container[probe].httpGet.httpHeaders as Y[] | undefined)?.find((h) => h.name.toLowerCase() === "host")?.value;
        if (allowed) expect(hostAllowed(host ?? `10.1.2.3:${port}`, allowed), `${kind} ${probe} Host`).toBe(true);
      }
      const service = named("Service", workload.metadata.name);
      expect(service.spec.ports.map((p: Y) => [p.port, portOf(container, p.targetPort)])).toEqual([[port, port]]);
      const annotations = workload.spec.template.metadata.annotations;
      expect(annotations["prometheus.io/port"], `${kind} scrape port`).toBe(String(port));
      expect(await opsAnswer(annotations["prometheus.io/path"], false)).toBe(200);
      expect(
        await (await opsRoutes({ ready: () => true, registry: createRegistry(kind) }).request(annotations["prometheus.io/path"])).text(),
      ).toContain("process_cpu_seconds_total");
    }
  });

  it("runs every Loadline pod as the image's user, read-only, with requests and memory limits", () => {
    for (const { workload, container, kind } of loadlineContainers()) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot, kind).toBe(true);
      expect(pod.securityContext.runAsUser, kind).toBe(IMAGE_UID);
      expect(container.securityContext.readOnlyRootFilesystem, kind).toBe(true);
      expect(container.securityContext.allowPrivilegeEscalation, kind).toBe(false);
      expect(container.resources.requests.cpu && container.resources.requests.memory, kind).toBeTruthy();
      expect(container.resources.limits.memory, kind).toBeTruthy();
      expect(pod.automountServiceAccountToken, kind).toBe(false);
    }
    const worker = loadlineContainers().find((c) => c.kind === "worker")!.container;
    const threads = Number(k8sEnv(worker).LL_WORKER_THREADS ?? 0);
    expect(threads, "one load thread per CPU the worker is given").toBe(Number(worker.resources.limits.cpu));
    expect(worker.resources.requests.cpu, "a worker is not throttled below its request").toBe(worker.resources.limits.cpu);
  });

  it("connects each service to NATS as its own user of accounts.conf, with the inbox that user may read", () => {
    const natsEnv = natsSts.spec.template.spec.containers[0];
    const passwordSecret = natsEnv.envFrom.find((f: Y) => f.secretRef).secretRef.name;
    expect(sorted(docsK8sObjects().secrets.get(passwordSecret)!.keys())).toEqual(sorted(NATS_USERS.map((u) => u.passwordVar)));
    for (const { workload, container, kind } of loadlineContainers()) {
      const env = k8sEnv(container);
      const label = workload.spec.template.metadata.labels["loadline.io/nats-user"];
      if (!connectsToNats(kind)) {
        expect(env.NATS_URL, `${kind} does not talk to NATS`).toBeUndefined();
        expect(label).toBeUndefined();
        continue;
      }
      expect(env.NATS_USER, `${kind}'s NATS user is named after it`).toBe(kind);
      expect(label, `${kind}'s pod carries its NATS user`).toBe(env.NATS_USER);
      const u = natsUser(env.NATS_USER!);
      expect(u, `${env.NATS_USER} is a user of accounts.conf`).toBeDefined();
      const pw = (container.env as Y[]).find((e) => e.name === "NATS_PASSWORD").valueFrom.secretKeyRef;
      expect([pw.name, pw.key]).toEqual([passwordSecret, u!.passwordVar]);
      const inbox = natsConnectionOptions(natsAuthFromEnv(env)).inboxPrefix;
      expect(subscribeAllow(env.NATS_USER!) ?? [`${inbox}.>`]).toContain(`${inbox}.>`);
      expect(env.LL_NAMESPACE ?? loadConfig({}).namespace, "the namespace accounts.conf is written for").toBe(ACCOUNTS_NAMESPACE);
    }
  });

  it("runs NATS as the cluster the services dial, with the repository's users and TLS", () => {
    const conf = natsConf(named("ConfigMap", "nats-config").data["nats.conf"]);
    const c = natsSts.spec.template.spec.containers[0];
    const replicas = natsSts.spec.replicas as number;
    const headless = named("Service", natsSts.spec.serviceName);
    expect(headless.spec.clusterIP).toBe("None");
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(portOf(c, "client")).toBe(conf.listen);
    expect(portOf(c, "cluster")).toBe(conf.cluster);
    expect(portOf(c, "monitor")).toBe(conf.http);
    const podNames = Array.from({ length: replicas }, (_, i) => `${natsSts.metadata.name}-${i}.${headless.metadata.name}.${namespace}.svc`);
    expect(conf.routes).toEqual(podNames.map((host) => ({ host, port: conf.cluster })));
    const urls = (named("ConfigMap", "loadline-env").data.NATS_URL as string).split(",").map((u) => new URL(u));
    expect(urls.map((u) => [u.hostname, Number(u.port)])).toEqual(podNames.map((h) => [h, conf.listen]));
    // LL_STREAM_REPLICAS as many as the nodes (set, not auto: a service may start while the cluster forms).
    expect(Number(named("ConfigMap", "loadline-env").data.LL_STREAM_REPLICAS)).toBe(Math.min(replicas, 3));
    // Its config: nats.conf and accounts.conf side by side (include ./accounts.conf), the certificates where the config reads them.
    expect(conf.text).toMatch(/^include \.\/accounts\.conf$/m);
    const configPath = c.args[c.args.indexOf("--config") + 1] as string;
    const volumes = natsSts.spec.template.spec.volumes as Y[];
    const mountOf = (file: string) => (c.volumeMounts as Y[]).find((m) => file.startsWith(`${m.mountPath}/`));
    const configVolume = volumes.find((v) => v.name === mountOf(configPath).name).projected.sources as Y[];
    expect(configVolume.flatMap((s: Y) => s.configMap.items.map((i: Y) => [s.configMap.name, i.path])).sort()).toEqual(
      [
        ["nats-accounts", "accounts.conf"],
        ["nats-config", path.basename(configPath)],
      ].sort(),
    );
    expect(conf.text).toMatch(/^tls \{/m);
    for (const file of tlsFilesOf(conf.text)) {
      const volume = volumes.find((v) => v.name === mountOf(file)?.name);
      expect(
        volume?.secret.items.map((i: Y) => i.path),
        file,
      ).toContain(path.basename(file));
      expect([...docsK8sObjects().secrets.get(volume.secret.secretName)!.keys()]).toContain(path.basename(file));
    }
    const store = /store_dir:\s*(\S+)/.exec(conf.text)![1]!;
    expect(natsSts.spec.volumeClaimTemplates.map((t: Y) => t.metadata.name)).toContain(mountOf(`${store}/x`).name);
    // The pid file the lame-duck preStop signals.
    const pid = /pid_file:\s*"([^"]+)"/.exec(conf.text)![1]!;
    expect(c.lifecycle.preStop.exec.command.join(" ")).toContain(`ldm=${pid}`);
    expect(mountOf(pid), "the pid file is on a writable volume").toBeDefined();
  });

  it("scales the workers with an HPA on a load gauge the worker really exports", () => {
    const hpas = ofKind("HorizontalPodAutoscaler");
    expect(hpas).toHaveLength(1);
    const hpa = hpas[0];
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    const target = named(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
    expect(target?.kind).toBe("Deployment");
    const worker = loadlineContainers().find((c) => c.workload === target);
    expect(worker?.kind, "the HPA scales the workers").toBe("worker");
    expect(target.spec.replicas, "the HPA owns the number of workers").toBeUndefined();
    const [metric] = hpa.spec.metrics as Y[];
    expect(metric.type).toBe("Pods");
    const exported = workerSeries().find((s) => s.name === metric.pods.metric.name);
    expect(exported, `the worker exports ${metric.pods.metric.name}`).toBeDefined();
    expect(exported!.type, "a level of load, not a counter").toBe("gauge");
    // A target a worker can reach: below the VUs it registers it can hold.
    const maxVUs = loadConfig(k8sEnv(worker!.container)).worker.maxVUs;
    expect(Number(metric.pods.target.averageValue)).toBeGreaterThan(0);
    expect(Number(metric.pods.target.averageValue)).toBeLessThan(maxVUs);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    // The adapter rule that serves it under that name.
    const adapter = parseYaml(read(`${K8S_DIR}/extras/prometheus-adapter-values.yaml`)) as Y;
    const rule = adapter.rules.custom.find((r: Y) => r.name.as === metric.pods.metric.name);
    expect(rule?.seriesQuery).toContain(`${metric.pods.metric.name}{`);
    expect(read("docs/operations.md")).toContain(metric.pods.metric.name);
  });

  it("keeps PodDisruptionBudgets that select real pods and let a drain proceed", () => {
    const pdbs = ofKind("PodDisruptionBudget");
    for (const name of ["worker", "orchestrator", "nats"]) expect(pdbs.map((p) => p.metadata.name)).toContain(name);
    for (const pdb of pdbs) {
      const owners = workloads().filter((w) =>
        Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => w.spec.template.metadata.labels[k] === v),
      );
      expect(owners, `${pdb.metadata.name} selects one workload`).toHaveLength(1);
      const replicas = owners[0].spec.replicas;
      if (pdb.spec.minAvailable !== undefined && replicas !== undefined) expect(pdb.spec.minAvailable).toBeLessThan(replicas);
      if (pdb.spec.maxUnavailable !== undefined) expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    }
  });

  it("has NetworkPolicies that let exactly accounts.conf's users reach NATS, and Postgres only its clients", () => {
    const policies = ofKind("NetworkPolicy");
    const deny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress);
    expect(deny?.spec.policyTypes.sort()).toEqual(["Egress", "Ingress"]);
    const natsLabels = natsSts.spec.template.metadata.labels;
    const selects = (selector: Y, labels: Record<string, string>) =>
      Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
      (selector.matchExpressions ?? []).every((e: Y) =>
        e.operator === "In" ? e.values.includes(labels[e.key]) : e.operator === "Exists" ? e.key in labels : false,
      );
    const conf = natsConf(named("ConfigMap", "nats-config").data["nats.conf"]);
    const natsPolicy = policies.find(
      (p) =>
        p.spec.ingress &&
        selects(p.spec.podSelector, natsLabels) &&
        p.spec.ingress.some((r: Y) => r.ports.some((x: Y) => x.port === conf.listen)),
    );
    const clientRule = natsPolicy.spec.ingress.find((r: Y) => r.ports.some((p: Y) => p.port === conf.listen));
    const userExpr = clientRule.from[0].podSelector.matchExpressions.find((e: Y) => e.key === "loadline.io/nats-user");
    expect(sorted(userExpr.values)).toEqual(sorted(NATS_USERS.map((u) => u.user)));
    const routeRule = natsPolicy.spec.ingress.find((r: Y) => r.ports.some((p: Y) => p.port === conf.cluster));
    expect(selects(routeRule.from[0].podSelector, natsLabels)).toBe(true);
    // Each pod may go out to what it uses, and nothing else (DNS aside).
    const egressPorts = (labels: Record<string, string>) =>
      policies
        .filter((p) => p.spec.egress && selects(p.spec.podSelector, labels))
        .flatMap((p) => p.spec.egress as Y[])
        .flatMap((r) => (r.ports ?? [{ port: "any" }]).map((x: Y) => x.port));
    for (const { workload, container, kind } of loadlineContainers()) {
      const labels = workload.spec.template.metadata.labels;
      const env = k8sEnv(container);
      const ports = unique(egressPorts(labels).filter((p) => p !== 53));
      const expected = [
        ...(env.NATS_URL ? [conf.listen] : []),
        ...(env.DATABASE_URL || env.DATABASE_MIGRATE_URL ? [5432] : []),
        // The load goes to the targets; webhooks and remote write to their receivers.
        ...(kind === "worker" || kind === "projections" ? ["any"] : []),
      ];
      expect(sorted(ports.map(String)), `${kind}'s egress`).toEqual(sorted(expected.map(String)));
      expect(labels["loadline.io/postgres"] === "client", `${kind}'s Postgres label`).toBe(
        Boolean(env.DATABASE_URL || env.DATABASE_MIGRATE_URL),
      );
    }
    // In: the API's port from anywhere, every /metrics port from Prometheus.
    const api = loadlineContainers().find((c) => c.kind === "api")!;
    const apiIn = policies.filter((p) => p.spec.ingress && selects(p.spec.podSelector, api.workload.spec.template.metadata.labels));
    expect(
      apiIn.some((p) => p.spec.ingress.some((r: Y) => !r.from && r.ports.some((x: Y) => x.port === portOf(api.container, "http")))),
    ).toBe(true);
    const metricsPorts = loadlineContainers()
      .filter((c) => c.kind !== "migrate")
      .map((c) => portOf(c.container, "http"));
    const metricsPolicy = policies.find((p) => p.metadata.name === "metrics");
    expect(metricsPolicy.spec.ingress[0].ports.map((p: Y) => p.port).sort()).toEqual(unique(metricsPorts).sort());
  });
});

// ---------------------------------------------------------------------------------------------
// Docker Compose.
// ---------------------------------------------------------------------------------------------

const COMPOSE_DIR = "infra/compose";
/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` as compose reads them. */
function interpolate(value: Y, vars: Env): Y {
  if (typeof value === "string")
    return value.replace(/\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g, (_, name: string, colon: string, op: string, arg: string) => {
      const v = vars[name];
      const unset = v === undefined || (colon === ":" && v === "");
      if (!unset) return v;
      if (op === "?") throw new Error(`${name}: ${arg}`);
      return arg ?? "";
    });
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)]));
  return value;
}
const composeText = read(`${COMPOSE_DIR}/docker-compose.yml`);
const CLUSTER_ENV = envFile(path.join(ROOT, COMPOSE_DIR, "cluster.env"));
const compose = (vars: Env): Y => interpolate(parseYaml(composeText, { merge: true }), vars);
const composeEnvOf = (service: Y): Env => ({
  ...(service.image === compose({}).services.api.image ? IMAGE_ENV : {}),
  ...Object.assign({}, ...(service.env_file ?? []).map((f: string) => envFile(secretFile(f.replace(/^secrets\//, ""))))),
  ...Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)])),
});
const loadlineServices = (c: Y): [string, Y, Kind][] =>
  Object.entries(c.services as Record<string, Y>)
    .filter(([, s]) => s.build?.dockerfile === "infra/docker/Dockerfile")
    .map(([name, s]) => [name, s, (s.command as string[])[0]!]);
const composeFileReader =
  (c: Y, service: Y) =>
  (p: string): string => {
    const name = /^\/run\/secrets\/([\w-]+)$/.exec(p)?.[1];
    if (!name || !(service.secrets as string[] | undefined)?.includes(name)) throw new Error(`${p} is not one of the service's secrets`);
    return readFileSync(secretFile((c.secrets[name].file as string).replace(/^\.\/secrets\//, "")), "utf8");
  };
const healthcheckUrl = (service: Y): URL => new URL(/fetch\('([^']+)'\)/.exec((service.healthcheck.test as string[]).join(" "))![1]!);

describe("Docker Compose (infra/compose)", () => {
  const single = compose({});
  const cluster = compose(CLUSTER_ENV);

  it("builds the image from infra/docker/Dockerfile at the repository root, and runs its commands", () => {
    for (const [name, s, kind] of loadlineServices(single)) {
      expect(path.resolve(ROOT, COMPOSE_DIR, s.build.context), name).toBe(ROOT);
      expect(COMMANDS.has(kind), `${name}: ${kind} is a command of the image`).toBe(true);
      expect(s.read_only, name).toBe(true);
    }
    const kinds = loadlineServices(single).map(([, , k]) => k);
    for (const kind of [...SERVERS, "migrate"]) expect(kinds, kind).toContain(kind);
  });

  it("sets only environment variables the code reads, and every one a service needs", () => {
    for (const c of [single, cluster])
      for (const [name, s, kind] of loadlineServices(c)) {
        const env = composeEnvOf(s);
        const reads = envReadBy(kind);
        for (const k of Object.keys(env)) expect(reads, `${name} sets ${k}: the code reads it`).toContain(k);
        requiredEnv(kind, env, composeFileReader(c, s));
      }
  });

  it("checks each server's health on its real port and readiness path", async () => {
    for (const [name, s, kind] of loadlineServices(single).filter(([, , k]) => (SERVERS as readonly string[]).includes(k))) {
      const env = composeEnvOf(s);
      const port = loadConfig(env).port ?? defaultPortOf(kind);
      const url = healthcheckUrl(s);
      expect(Number(url.port), `${name} healthcheck port`).toBe(port);
      expect(await opsAnswer(url.pathname, false), `${name} healthcheck path`).toBe(503);
      const allowed = allowedHostsFor(loadConfig(env).host, loadConfig(env).allowedHosts);
      if (allowed) expect(hostAllowed(url.host, allowed)).toBe(true);
      for (const published of s.ports ?? []) expect(Number(String(published).split(":").at(-1)), `${name} publishes its port`).toBe(port);
    }
  });

  it("connects each service to NATS as its own user, with that user's password", () => {
    const server = envFile(secretFile("nats-server.env"));
    expect(single.services.nats.env_file).toContain("secrets/nats-server.env");
    for (const [name, s, kind] of loadlineServices(single)) {
      const env = composeEnvOf(s);
      if (!connectsToNats(kind)) {
        expect(env.NATS_URL, `${name} does not talk to NATS`).toBeUndefined();
        continue;
      }
      const user = env.NATS_USER!;
      expect(user, name).toBe(kind === "loadline" ? "operator" : kind);
      expect(env.NATS_PASSWORD, `${name}: ${user}'s password`).toBe(server[natsUser(user)!.passwordVar]);
      const inbox = natsConnectionOptions(natsAuthFromEnv(env)).inboxPrefix;
      expect(subscribeAllow(user) ?? [`${inbox}.>`]).toContain(`${inbox}.>`);
      expect(env.LL_NAMESPACE ?? loadConfig({}).namespace).toBe(ACCOUNTS_NAMESPACE);
      for (const d of Object.keys(s.depends_on ?? {})) expect(Object.keys(single.services), `${name} depends on ${d}`).toContain(d);
    }
  });

  it("runs the repository's NATS configs: one node by default, the 3-node cluster with cluster.env", () => {
    const confPath = (c: Y, service: string) => {
      const cmd = c.services[service].command as string[];
      const file = cmd[cmd.indexOf("--config") + 1]!;
      const mount = (c.services[service].volumes as string[]).map((v) => v.split(":")).find(([, target]) => file.startsWith(`${target}/`))!;
      return path.relative(ROOT, path.resolve(ROOT, COMPOSE_DIR, mount[0]!, path.relative(mount[1]!, file)));
    };
    expect(confPath(single, "nats")).toBe("infra/nats/single.conf");
    const singleConf = natsConf(read("infra/nats/single.conf"));
    const natsUrl = (c: Y) => (composeEnvOf(c.services.orchestrator).NATS_URL as string).split(",").map((u) => new URL(u));
    expect(natsUrl(single).map((u) => [u.hostname, Number(u.port)])).toEqual([["nats", singleConf.listen]]);
    // single.conf listens on loopback for a bare host: the compose command opens it.
    if (/^listen:\s*127\./m.test(singleConf.text))
      expect(single.services.nats.command).toEqual(expect.arrayContaining(["--addr", "0.0.0.0"]));
    const nodes = ["nats", "nats-2", "nats-3"];
    const confs = nodes.map((n) => confPath(cluster, n));
    expect(confs).toEqual(["infra/nats/cluster-1.conf", "infra/nats/cluster-2.conf", "infra/nats/cluster-3.conf"]);
    const parsed = confs.map((f) => natsConf(read(f)));
    expect(natsUrl(cluster).map((u) => [u.hostname, Number(u.port)])).toEqual(parsed.map((p) => ["nats", p.listen]));
    // The shipped configs route over loopback: the three share one network namespace.
    for (const n of ["nats-2", "nats-3"]) {
      expect(cluster.services[n].network_mode).toBe("service:nats");
      expect(cluster.services[n].profiles).toEqual([CLUSTER_ENV.COMPOSE_PROFILES]);
    }
    for (const [i, n] of nodes.entries())
      expect(cluster.services[n].healthcheck.test.join(" "), `${n} health`).toContain(`127.0.0.1:${parsed[i]!.http}/healthz`);
    expect(single.services.nats.healthcheck.test.join(" ")).toContain(`127.0.0.1:${singleConf.http}/healthz`);
    expect(Number(CLUSTER_ENV.LL_STREAM_REPLICAS)).toBe(nodes.length);
    expect(composeEnvOf(cluster.services.orchestrator).LL_STREAM_REPLICAS).toBe(CLUSTER_ENV.LL_STREAM_REPLICAS);
    // Certificates where the configs read them, the store on a volume.
    for (const [c, n, conf] of [[single, "nats", singleConf] as const, ...nodes.map((n, i) => [cluster, n, parsed[i]!] as const)]) {
      const mounts = (c.services[n].volumes as string[]).map((v) => v.split(":"));
      for (const file of tlsFilesOf(conf.text)) {
        const m = mounts.find(([, target]) => file.startsWith(`${target}/`));
        expect(m?.[0], `${n}: ${file}`).toBe("./secrets/nats-tls");
        expect(existsSync(secretFile(`nats-tls/${path.basename(file)}`)), file).toBe(true);
      }
      const store = /store_dir:\s*(\S+)/.exec(conf.text)![1]!;
      expect(
        mounts.some(([source, target]) => !source!.startsWith(".") && store.startsWith(`${target}/`)),
        `${n}: ${store} on a volume`,
      ).toBe(true);
    }
  });

  it("makes Postgres's roles with roles.sql, and migrates as the owner before the app role's services start", () => {
    const pg = single.services.postgres;
    const mounts = (pg.volumes as string[]).map((v) => v.split(":"));
    const init = mounts.find(([, t]) => t!.startsWith("/docker-entrypoint-initdb.d/"))!;
    const script = read(path.relative(ROOT, path.resolve(ROOT, COMPOSE_DIR, init[0]!)));
    const sqlPath = /-f (\S+)/.exec(script)![1]!;
    const sql = mounts.find(([, t]) => t === sqlPath)!;
    expect(path.relative(ROOT, path.resolve(ROOT, COMPOSE_DIR, sql[0]!))).toBe("infra/postgres/roles.sql");
    expect(script).toContain('owner_password="$LOADLINE_OWNER_PASSWORD"');
    expect(script).toContain('app_password="$LOADLINE_APP_PASSWORD"');
    const database = new URL(composeEnvOf(single.services.api).DATABASE_URL!);
    expect(database.hostname).toBe("postgres");
    expect(database.pathname).toBe(`/${pg.environment.POSTGRES_DB}`);
    for (const [name, s, kind] of loadlineServices(single).filter(([, , k]) => k === "api" || k === "projections")) {
      expect(s.depends_on.migrate?.condition, `${name} waits for the migrations`).toBe("service_completed_successfully");
      expect(composeEnvOf(s).DATABASE_MIGRATE_URL, `${kind} runs as the app role only`).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Prometheus.
// ---------------------------------------------------------------------------------------------

describe("Prometheus", () => {
  it("scrapes every replica of every compose service on its metrics port", () => {
    const prom = parseYaml(read(`${COMPOSE_DIR}/prometheus.yml`)) as Y;
    const single = compose({});
    const mount = (single.services.prometheus.volumes as string[])
      .map((v) => v.split(":"))
      .find(([, t]) => t === "/etc/prometheus/prometheus.yml");
    expect(mount?.[0]).toBe("./prometheus.yml");
    const targets = (prom.scrape_configs as Y[]).flatMap((j) =>
      (j.dns_sd_configs as Y[]).flatMap((d) => d.names.map((n: string) => [n, d.port])),
    );
    const servers = loadlineServices(single).filter(([, , k]) => (SERVERS as readonly string[]).includes(k));
    expect(sorted(targets.map(([n]) => n))).toEqual(sorted(servers.map(([n]) => n)));
    for (const [name, s, kind] of servers) {
      const port = loadConfig(composeEnvOf(s)).port ?? defaultPortOf(kind);
      expect(targets.find(([n]) => n === name)?.[1], `${name}'s metrics port`).toBe(port);
    }
  });

  it("infra/prometheus/prometheus.yml scrapes the services' default ports on one host, a job per service", () => {
    const prom = parseYaml(read("infra/prometheus/prometheus.yml")) as Y;
    const ports = (prom.scrape_configs as Y[]).flatMap((j) =>
      (j.static_configs as Y[]).flatMap((s) => s.targets.map((t: string) => Number(t.split(":")[1]))),
    );
    expect(ports.sort()).toEqual(SERVERS.map(defaultPortOf).sort());
    const targetsOf = (job: string) =>
      (prom.scrape_configs as Y[]).find((j) => j.job_name === job)?.static_configs.flatMap((s: Y) => s.targets);
    for (const kind of SERVERS) expect(targetsOf(kind), kind).toEqual([`127.0.0.1:${defaultPortOf(kind)}`]);
  });

  it("infra/prometheus/prometheus-all-in-one.yml scrapes the all-in-one stack's one port", () => {
    const prom = parseYaml(read("infra/prometheus/prometheus-all-in-one.yml")) as Y;
    // `loadline up` listens where `loadline api` does: the CLI's one default port.
    expect(read("packages/loadline/src/cli.ts")).toMatch(/const serving = command === "up" \|\| command === "api";/);
    expect((prom.scrape_configs as Y[]).flatMap((j) => (j.static_configs as Y[]).flatMap((s) => s.targets))).toEqual([
      `127.0.0.1:${defaultPortOf("api")}`,
    ]);
  });
});

describe("the code the manifests are checked against", () => {
  it("is found: every server's port, environment and ops routes", () => {
    for (const kind of SERVERS) {
      expect(defaultPortOf(kind), kind).toBeGreaterThan(0);
      expect(envReadBy(kind), kind).toContain("NATS_URL");
      expect(
        sourcesOf(kind)
          .map(read)
          .some((s) => /opsRoutes\(|apiApp\(/.test(s)),
        `${kind} serves the ops routes`,
      ).toBe(true);
    }
    for (const k of NATS_AUTH_ENV) expect(envReadBy("worker")).toContain(k);
    expect(NATS_USERS.map((u) => u.user)).toEqual(expect.arrayContaining([...SERVERS, "operator"]));
    expect(envReadBy("orchestrator")).toContain("LL_TARGETS_ALLOW");
    expect(envReadBy("worker")).not.toContain("LL_TARGETS_ALLOW");
  });
});
