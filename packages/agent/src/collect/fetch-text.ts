/** Most an endpoint's page may be: a Prometheus endpoint of a large service is a few MB at most. */
const MAX_BYTES = 16 * 1024 * 1024;

/** GETs a page as text, within `timeoutMs`; a status other than 2xx is an error. */
export async function fetchText(url: string, timeoutMs: number): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${url} answered ${res.status}`);
  }
  const length = Number(res.headers.get("content-length") ?? 0);
  if (length > MAX_BYTES) {
    await res.body?.cancel();
    throw new Error(`${url} sent ${length} bytes, over ${MAX_BYTES}`);
  }
  return res.text();
}
