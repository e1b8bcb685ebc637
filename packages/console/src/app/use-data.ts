import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type ApiError, request } from "./api.ts";

export type Data<T> = { data: T | null; error: ApiError | null; loading: boolean; reload: () => void };

/**
 * A GET of the API, again every `refreshMs` while `refreshMs` is set (and the page is visible),
 * again when `path` changes. The last answer stays shown while the next loads.
 */
export function useData<T>(path: string | null, refreshMs?: number | null): Data<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const last = useRef<string | null>(null);

  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (last.current !== path) setState({ data: null, error: null, loading: true });
    last.current = path;
    const load = async () => {
      try {
        const data = await request<T>(path, { signal: abort.signal });
        if (!abort.signal.aborted) setState({ data, error: null, loading: false });
      } catch (e) {
        if (!abort.signal.aborted) setState((s) => ({ data: s.data, error: e as ApiError, loading: false }));
      }
      if (refreshMs && !abort.signal.aborted) timer = setTimeout(load, document.hidden ? refreshMs * 4 : refreshMs);
    };
    void load();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [path, refreshMs, nonce]);

  return { ...state, reload };
}
