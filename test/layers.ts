/**
 * The package map: which workspace package may import which (docs/architecture.md draws it).
 * The domain imports nothing of ours; adapters and plumbing only the domain; services the
 * domain, the adapters and the plumbing, never each other (they meet only through the streams);
 * the app composes everything.
 */
const BASE = ["@loadline/core", "@loadline/nats", "@loadline/service"];

export const MAY_IMPORT: Record<string, readonly string[]> = {
  "@loadline/core": [],
  "@loadline/nats": ["@loadline/core"],
  "@loadline/service": ["@loadline/core"],
  "@loadline/orchestrator": BASE,
  "@loadline/worker": BASE,
  "@loadline/projections": BASE,
  "@loadline/agent": BASE,
  // The console is a client of the API: it speaks HTTP, and imports nothing of ours.
  "@loadline/console": [],
  loadline: [...BASE, "@loadline/orchestrator", "@loadline/worker", "@loadline/projections", "@loadline/agent", "@loadline/console"],
};

/** What the domain must never import: I/O of any kind. */
export const DOMAIN_FORBIDDEN =
  /^(@nats-io\/|hono|@hono\/|prom-client|pino|postgres|drizzle-orm|@electric-sql\/|undici|node:(fs|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|cluster))/;
