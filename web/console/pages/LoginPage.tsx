import { useState } from 'preact/hooks';
import { describeFailure, type ApiClient, type Session } from '../../shared/api.js';
import { Alert } from '../../shared/components.js';

/** Paste an API token (`llt_…`) to open a console session; `?error=link` after a spent login link. */
export function LoginPage(props: { api: ApiClient; error: string | null; onSignedIn: (s: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    if (token.trim() === '') {
      setError('Paste your API token.');
      document.getElementById('login-token')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await props.api.post<Session>('/api/v1/session', { token: token.trim() });
      if (res.status === 200) {
        setToken('');
        props.onSignedIn(res.body);
      } else {
        setError(res.status === 401 ? 'That token is unknown or revoked.' : describeFailure(res));
        document.getElementById('login-token')?.focus();
      }
    } catch {
      setError('Lifeline could not be reached.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="login" onSubmit={(e) => void submit(e)} noValidate>
      {props.error === 'link' ? (
        <Alert kind="error">
          That login link was already used, has expired or is unknown. Ask for a new one, or paste an API
          token.
        </Alert>
      ) : null}
      <p>
        Sign in with an API token (<code>lifeline tokens create --role engineer --name YOU</code>, or the
        one-time login printed by <code>lifeline serve</code>).
      </p>
      <div class="field">
        <label for="login-token">API token</label>
        <input
          id="login-token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
      </div>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div class="button-row">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </div>
    </form>
  );
}
