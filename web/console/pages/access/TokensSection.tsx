/** API tokens (admins): create one with a role (its secret shown once, with a copy button), list, revoke. */
import { useState } from 'preact/hooks';
import {
  describeFailure,
  errorOf,
  type ApiToken,
  type ConsoleClient,
  type Role,
} from '../../../shared/api.js';
import { ConfirmDialog } from '../../../shared/ConfirmDialog.js';
import { formatInstant } from '../../../shared/format.js';
import { ListTable, Notices } from './ListTable.js';
import { useList } from './useList.js';

const ROLES: { value: Role; label: string }[] = [
  { value: 'engineer', label: 'engineer: checks, issues, looks up and resends' },
  { value: 'licensing', label: 'licensing: also approves, voids and replaces' },
  { value: 'admin', label: 'admin: also manages tokens and sessions' },
];

/** The new token's secret, once: a read-only field to select, and a button that copies it. */
function NewSecret(props: { created: { token: ApiToken; secret: string }; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(props.created.secret);
      setCopied('Copied.');
    } catch {
      (document.getElementById('new-token-secret') as HTMLInputElement | null)?.select();
      setCopied('Copying was not allowed: the secret is selected, press Ctrl+C.');
    }
  }
  const { token } = props.created;
  return (
    <div class="alert alert-success new-secret" role="status">
      <p>
        Token <strong>{token.name}</strong> ({token.role}) created. Copy its secret now: it is not shown
        again.
      </p>
      <label for="new-token-secret">Secret of {token.name}</label>
      <div class="secret-row">
        <input id="new-token-secret" class="mono" readOnly value={props.created.secret} spellcheck={false} />
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p aria-live="polite" class="muted">
        {copied}
      </p>
      <button type="button" onClick={props.onDone}>
        Done: hide the secret
      </button>
    </div>
  );
}

/** The sentence under a field the API (or the form) found wrong. */
function FieldError(props: { field: string; error: { field: string; message: string } | null }) {
  if (props.error?.field !== props.field) return null;
  return (
    <p id={`token-${props.field}-error`} class="field-error">
      {props.error.message}
    </p>
  );
}

export function TokensSection(props: { api: ConsoleClient }) {
  const { items: tokens, error, reload } = useList<ApiToken>(props.api, '/api/v1/tokens', 'tokens');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('engineer');
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ token: ApiToken; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function create(event: Event): Promise<void> {
    event.preventDefault();
    setFieldError(null);
    setProblem(null);
    setDone(null);
    if (name.trim() === '') {
      setFieldError({
        field: 'name',
        message: 'Name: who or what uses the token, e.g. a person or a script.',
      });
      document.getElementById('token-name')?.focus();
      return;
    }
    setBusy(true);
    try {
      const res = await props.api.post<{ token: ApiToken; secret: string }>('/api/v1/tokens', {
        name: name.trim(),
        role,
      });
      if (res.status === 201) {
        setCreated(res.body);
        setName('');
        reload();
      } else {
        const e = errorOf(res.body);
        if (e?.field === 'name' || e?.field === 'role') {
          setFieldError({ field: e.field, message: e.message });
          document.getElementById(`token-${e.field}`)?.focus();
        } else setProblem(describeFailure(res));
      }
    } catch {
      setProblem('Lifeline could not be reached.');
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: ApiToken): Promise<void> {
    setRevoking(null);
    const res = await props.api.delete(`/api/v1/tokens/${encodeURIComponent(token.id)}`).catch(() => null);
    if (res?.status === 200) setDone(`Token ${token.name} revoked.`);
    else setProblem(res ? describeFailure(res) : 'Lifeline could not be reached.');
    reload();
  }

  const marked = (field: string) =>
    fieldError?.field === field ? { 'aria-invalid': true, 'aria-describedby': `token-${field}-error` } : {};
  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      <p class="muted">
        For scripts, and for people signing in without the identity provider. A token has one role; revoking
        it also ends the console sessions signed in with it.
      </p>
      {created ? <NewSecret created={created} onDone={() => setCreated(null)} /> : null}
      <form class="token-form" onSubmit={(e) => void create(e)} noValidate aria-label="Create an API token">
        <div class="field">
          <label for="token-name">Name</label>
          <input
            id="token-name"
            value={name}
            maxLength={100}
            autoComplete="off"
            {...marked('name')}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <FieldError field="name" error={fieldError} />
        </div>
        <div class="field">
          <label for="token-role">Role</label>
          <select
            id="token-role"
            value={role}
            {...marked('role')}
            onChange={(e) => setRole(e.currentTarget.value as Role)}
          >
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
          <FieldError field="role" error={fieldError} />
        </div>
        <div class="button-row">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </div>
      </form>
      <Notices problem={problem} done={done} error={error} />
      <ListTable
        caption="API tokens"
        columns={['Name', 'Role', 'Starts with', 'Created', 'State']}
        count={tokens?.length ?? null}
        failed={error !== null}
        empty="No API tokens yet."
      >
        {(tokens ?? []).map((t) => (
          <tr key={t.id} data-token={t.id}>
            <td data-label="Name" class="break">
              {t.name}
            </td>
            <td data-label="Role">{t.role}</td>
            <td data-label="Starts with">
              <code>{t.prefix}…</code>
            </td>
            <td data-label="Created">{formatInstant(t.createdAt)}</td>
            <td data-label="State">{t.revokedAt ? `Revoked ${formatInstant(t.revokedAt)}` : 'Live'}</td>
            <td data-label="Actions">
              {t.revokedAt ? (
                '—'
              ) : (
                <button type="button" class="danger" onClick={() => setRevoking(t)}>
                  Revoke<span class="visually-hidden"> {t.name}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </ListTable>
      {revoking ? (
        <ConfirmDialog
          title={`Revoke the token ${revoking.name}?`}
          confirmLabel="Revoke token"
          danger
          onConfirm={() => void revoke(revoking)}
          onCancel={() => setRevoking(null)}
        >
          <p>
            Scripts using it get “unauthenticated” from now on, and console sessions signed in with it end.
            This cannot be undone: make a new token instead.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
