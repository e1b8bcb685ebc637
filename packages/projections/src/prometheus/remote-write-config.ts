/** Where and how run series are pushed by Prometheus remote write (LL_PROMETHEUS_RW_*). */
export type RemoteWriteConfig = {
  url: string;
  /** Sent with every request: basic auth and LL_PROMETHEUS_RW_HEADERS. */
  headers: Readonly<Record<string, string>>;
  pushIntervalMs: number;
  /** How long after a second its samples are made: the time its workers' windows take to be merged. */
  settleSec: number;
};

const seconds = (env: Record<string, string | undefined>, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new Error(`${name} must be a number of seconds (0 to 3600), not ${raw}`);
  return n;
};

/**
 * LL_PROMETHEUS_RW_URL and its companions, or null when it is unset (no remote write). Bad
 * settings fail the start, never a push later: LL_PROMETHEUS_RW_HEADERS is `Name: value` pairs
 * separated by newlines or commas (a value with a comma goes on a line of its own).
 */
export function remoteWriteConfigFromEnv(env: Record<string, string | undefined>): RemoteWriteConfig | null {
  const url = env.LL_PROMETHEUS_RW_URL;
  if (!url) return null;
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
    throw new Error(`LL_PROMETHEUS_RW_URL must be an http(s) URL, not ${url}`);
  const headers: Record<string, string> = {};
  const rawHeaders = env.LL_PROMETHEUS_RW_HEADERS ?? "";
  for (const entry of rawHeaders.split(rawHeaders.includes("\n") ? "\n" : ",")) {
    if (entry.trim() === "") continue;
    const colon = entry.indexOf(":");
    const name = entry.slice(0, colon).trim();
    if (colon < 1 || !/^[A-Za-z0-9-]+$/.test(name)) throw new Error(`LL_PROMETHEUS_RW_HEADERS: "${entry.trim()}" is not Name: value`);
    headers[name] = entry.slice(colon + 1).trim();
  }
  const user = env.LL_PROMETHEUS_RW_USERNAME;
  if (user) headers.Authorization = `Basic ${Buffer.from(`${user}:${env.LL_PROMETHEUS_RW_PASSWORD ?? ""}`).toString("base64")}`;
  return {
    url,
    headers,
    pushIntervalMs: seconds(env, "LL_PROMETHEUS_RW_PUSH_INTERVAL_SEC", 5) * 1000,
    settleSec: seconds(env, "LL_PROMETHEUS_RW_SETTLE_SEC", 5),
  };
}
