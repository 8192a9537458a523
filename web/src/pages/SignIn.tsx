// Sign in with a bearer token: checked with GET /whoami before it is kept.
import { useState, type FormEvent } from "react";
import { api, describe, ok } from "../api/client";
import { forgetToken, saveToken } from "../api/token";

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    saveToken(token);
    try {
      await ok(api.GET("/api/v1/whoami"));
      onSignedIn();
    } catch (e) {
      forgetToken();
      setError(`This token is not accepted: ${describe(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="signin">
      <h1>Phoenix</h1>
      <form onSubmit={submit} aria-describedby="signin-help">
        <label htmlFor="token">Bearer token</label>
        <textarea
          id="token"
          rows={4}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error !== null}
          aria-errormessage={error ? "signin-error" : undefined}
          required
        />
        <p id="signin-help" className="hint">
          <code>phoenix dashboard</code> prints a link that signs you in; or paste a token from{" "}
          <code>phoenix token create --subject you --role operator --ttl 8h</code>. It is kept for
          this tab only.
        </p>
        {error && (
          <p id="signin-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
