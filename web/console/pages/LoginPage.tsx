import { useEffect, useState } from 'preact/hooks';
import { describeFailure, type ApiClient, type Session, type SignInMethods } from '../../shared/api.js';
import { Alert } from '../../shared/components.js';
import './login.css';

/** What `?error=…` means: a spent login link, or how signing in with the identity provider ended. */
const ERRORS: Record<string, string> = {
  link: 'That login link was already used, has expired or is unknown. Ask for a new one, or paste an API token.',
  'oidc-refused':
    'Your account is not in a group that may use Lifeline. Ask a Lifeline admin to add one of your groups.',
  'oidc-failed':
    'Signing in with your identity provider did not finish (it may have expired or been cancelled). Try again.',
  'oidc-busy': 'Too many sign-ins are in progress. Try again in a few minutes, or use an API token.',
  'oidc-unavailable':
    'Your identity provider could not be reached. Try again in a moment, or use an API token.',
  'oidc-off': 'Signing in with an identity provider is not set up here. Use an API token.',
};

/**
 * Sign in: with the company's identity provider when one is configured, or by pasting an API
 * token (`llt_…`); `?error=…` after a spent login link or a sign-in that did not finish.
 */
export function LoginPage(props: {
  api: ApiClient;
  error: string | null;
  next: string | null;
  onSignedIn: (s: Session) => void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [methods, setMethods] = useState<SignInMethods | null>(null);

  useEffect(() => {
    props.api
      .get<SignInMethods>('/api/v1/session/methods')
      .then((res) => setMethods(res.status === 200 ? res.body : null))
      .catch(() => setMethods(null));
  }, [props.api]);

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

  const problem = props.error ? (ERRORS[props.error] ?? null) : null;
  const oidc = methods?.oidc ?? null;
  const next = props.next ? `?next=${encodeURIComponent(props.next)}` : '';
  return (
    <div class="login">
      {problem ? <Alert kind="error">{problem}</Alert> : null}
      {oidc ? (
        <div class="login-provider">
          {/* A full page load (target=_self keeps the console's router out): the provider is another site. */}
          <a class="button primary" href={`${oidc.url}${next}`} target="_self">
            Sign in with {oidc.name}
          </a>
        </div>
      ) : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>
          {oidc ? 'Or sign in' : 'Sign in'} with an API token (
          <code>lifeline tokens create --role engineer --name YOU</code>, or the one-time login printed by{' '}
          <code>lifeline serve</code>).
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
          <button type="submit" class={oidc ? undefined : 'primary'} disabled={busy}>
            {busy ? 'Signing in…' : oidc ? 'Sign in with the token' : 'Sign in'}
          </button>
        </div>
      </form>
    </div>
  );
}
