/**
 * What needs attention now (GET /api/v1/status, the counts of `lifeline status`), each count a link
 * to the requests behind it.
 */
import { useEffect, useState } from 'preact/hooks';
import { describeFailure, type ApiClient, type Role, type StatusJson } from '../../../shared/api.js';
import { Alert } from '../../../shared/components.js';
import { formatSeconds } from '../../../shared/format.js';
import { listHref } from '../RequestsPage.js';

interface Tile {
  key: string;
  value: string;
  label: string;
  href: string;
  link: string;
  alert: boolean;
}

/** A count, what it counts, and the requests behind it; marked when it is not nothing. */
const tile = (
  key: string,
  count: number,
  label: string,
  href: string,
  link = 'Show their requests',
): Tile => ({
  key,
  value: String(count),
  label,
  href,
  link,
  alert: count > 0,
});

function tilesOf(status: StatusJson, role: Role): Tile[] {
  const channels = status.failedByChannel.map((f) => `${f.count} ${f.channel}`).join(', ');
  const oldest = status.outbox.oldestAgeSeconds;
  return [
    tile(
      'failed',
      status.failedDeliveries,
      `deliveries needing a human${channels ? ` (${channels})` : ''}`,
      listHref({ attention: 'failed_delivery' }),
    ),
    tile(
      'unknown',
      status.unknownEmails,
      'license emails with an unknown outcome',
      listHref({ attention: 'unknown_email' }),
    ),
    tile(
      'pending',
      status.pendingApprovals,
      'overrides waiting for approval',
      role === 'engineer' ? listHref({ status: 'pending_approval' }) : '/approvals',
      'Show them',
    ),
    {
      ...tile(
        'outbox',
        status.outbox.depth,
        status.outbox.depth === 0
          ? 'in the outbox: every delivery has left'
          : `age of the oldest of ${status.outbox.depth === 1 ? '1 delivery' : `${status.outbox.depth} deliveries`} still on their way`,
        listHref({ attention: 'delivering' }),
      ),
      value: oldest === null ? '—' : formatSeconds(oldest),
      // Deliveries usually leave within seconds: a quarter of an hour means something is stuck.
      alert: oldest !== null && oldest > 15 * 60,
    },
  ];
}

export function Attention(props: { api: ApiClient; role: Role }) {
  const [status, setStatus] = useState<StatusJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    props.api
      .get<StatusJson>('/api/v1/status')
      .then((res) => {
        if (!live) return;
        if (res.status === 200) setStatus(res.body);
        else setError(describeFailure(res));
      })
      .catch(() => live && setError('Lifeline could not be reached.'));
    return () => {
      live = false;
    };
  }, []);
  return (
    <section aria-labelledby="dash-attention">
      <h2 id="dash-attention">Needs attention</h2>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {status ? (
        <>
          {status.attention.length === 0 ? <p role="status">Nothing needs a human right now.</p> : null}
          <ul class="tiles attention-tiles" aria-label="What needs attention">
            {tilesOf(status, props.role).map((t) => (
              <li key={t.key} class={`tile${t.alert ? ' tile-alert' : ''}`} data-attention={t.key}>
                <span class="tile-value">{t.value}</span>
                <span class="tile-label">{t.label}</span>
                <a href={t.href}>
                  {t.link}
                  <span class="visually-hidden">: {t.label}</span>
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : error ? null : (
        <p>Loading…</p>
      )}
    </section>
  );
}
