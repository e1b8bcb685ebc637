/** The API's error body: `{error: {code, message, field?}}`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const KEY = "loadline.credential";

/** The credential (API key or JWT) kept in this browser, and who hears when it goes. */
export const credential = {
  get(): string | null {
    return localStorage.getItem(KEY);
  },
  set(value: string): void {
    localStorage.setItem(KEY, value);
  },
  clear(): void {
    localStorage.removeItem(KEY);
    for (const listener of signedOutListeners) listener();
  },
};
const signedOutListeners = new Set<() => void>();
/** Called when the credential is dropped (sign out, or a 401). */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export function authHeaders(token = credential.get()): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Reads an error answer as an ApiError, whatever its body. */
export async function apiErrorOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: the status says it
  }
  const e = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  const message = typeof e?.message === "string" ? e.message : `${res.status} ${res.statusText}`;
  return new ApiError(
    res.status,
    typeof e?.code === "string" ? e.code : "http_error",
    message,
    typeof e?.field === "string" ? e.field : undefined,
  );
}

export type RequestOptions = { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; token?: string };

/** Sends a request to the API with the credential; a 401 signs out. Answers the JSON body (null for 204). */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders(opts.token ?? credential.get()), ...opts.headers };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method: opts.method ?? "GET",
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (!res.ok) {
    const err = await apiErrorOf(res);
    if (res.status === 401 && opts.token === undefined) credential.clear();
    throw err;
  }
  if (res.status === 204) return null as T;
  return (await res.json()) as T;
}

/** Downloads a file the API serves (a report): fetched with the credential, saved under the name it gives. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(path, { headers: authHeaders() });
  if (!res.ok) throw await apiErrorOf(res);
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A query string of the defined parameters. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
