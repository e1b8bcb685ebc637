import { useState } from "preact/hooks";
import { type ApiError, credential, request } from "../api.ts";
import type { Whoami } from "../types.ts";
import { ErrorBox } from "../ui.tsx";

/** Sign in with an API key (or a JWT): checked with GET /v1/whoami, then kept in this browser. */
export function LoginPage({ onSignedIn, reason }: { onSignedIn: (who: Whoami) => void; reason?: string | undefined }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const token = key.trim();
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const who = await request<Whoami>("/v1/whoami", { token });
      credential.set(token);
      onSignedIn(who);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login">
      <form class="card login-card" onSubmit={submit}>
        <div class="brand big">
          <span class="logo">◢</span> Loadline
        </div>
        <p class="muted">Sign in with an API key or a token of your platform.</p>
        {reason && <p class="notice">{reason}</p>}
        <label for="key">API key or JWT</label>
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="current-password"
          placeholder="ll_…"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy || !key.trim()}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p class="hint">
          The embedded stack writes its admin key to <code>.data/admin-key</code>.
        </p>
      </form>
    </div>
  );
}
