/** Console sessions (admins): who is signed in, with which role, until when; end one after confirming. */
import { useState } from 'preact/hooks';
import { describeFailure, type ConsoleClient, type ConsoleSession } from '../../../shared/api.js';
import { ConfirmDialog } from '../../../shared/ConfirmDialog.js';
import { formatInstant } from '../../../shared/format.js';
import { ListTable, Notices } from './ListTable.js';
import { useList } from './useList.js';

export function SessionsSection(props: { api: ConsoleClient; onOwnSessionEnded: () => void }) {
  const {
    items: sessions,
    error,
    reload,
  } = useList<ConsoleSession>(props.api, '/api/v1/sessions', 'sessions');
  const [ending, setEnding] = useState<ConsoleSession | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function end(session: ConsoleSession): Promise<void> {
    setEnding(null);
    setProblem(null);
    const res = await props.api
      .delete(`/api/v1/sessions/${encodeURIComponent(session.id)}`)
      .catch(() => null);
    if (res?.status === 200 && session.current) return props.onOwnSessionEnded();
    if (res?.status === 200) setDone(`${session.user.name}'s session ended.`);
    else setProblem(res ? describeFailure(res) : 'Lifeline could not be reached.');
    reload();
  }

  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Console sessions</h2>
      <p class="muted">
        People signed in to this console. Ending a session signs that browser out at once (not out of the
        identity provider).
      </p>
      <Notices problem={problem} done={done} error={error} />
      <ListTable
        caption="Console sessions"
        columns={['Who', 'Role', 'Signed in', 'Until', 'With']}
        count={sessions?.length ?? null}
        failed={error !== null}
        empty="Nobody is signed in to the console."
      >
        {(sessions ?? []).map((s) => (
          <tr key={s.id} data-session={s.id}>
            <td data-label="Who" class="break">
              {s.user.name}
              {s.current ? <strong> (you, this browser)</strong> : null}
            </td>
            <td data-label="Role">{s.user.role}</td>
            <td data-label="Signed in">{formatInstant(s.createdAt)}</td>
            <td data-label="Until">{formatInstant(s.expiresAt)}</td>
            <td data-label="With">{s.tokenId ? 'an API token' : 'the identity provider or a login link'}</td>
            <td data-label="Actions">
              <button type="button" class="danger" onClick={() => setEnding(s)}>
                End session<span class="visually-hidden"> of {s.user.name}</span>
              </button>
            </td>
          </tr>
        ))}
      </ListTable>
      {ending ? (
        <ConfirmDialog
          title={ending.current ? 'End your own session?' : `End ${ending.user.name}'s session?`}
          confirmLabel="End session"
          danger
          onConfirm={() => void end(ending)}
          onCancel={() => setEnding(null)}
        >
          <p>
            {ending.current
              ? 'You will be signed out of this browser.'
              : 'They are signed out at once and must sign in again.'}
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
