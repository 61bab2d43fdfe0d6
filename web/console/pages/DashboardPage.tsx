import { useEffect, useState } from 'preact/hooks';
import {
  describeFailure,
  query,
  type ApiClient,
  type Role,
  type Stats,
  type StatsWeek,
} from '../../shared/api.js';
import { Alert } from '../../shared/components.js';
import { addDays, formatSeconds } from '../../shared/format.js';
import { Attention } from './dashboard/Attention.js';
import { listHref } from './RequestsPage.js';

const OUTCOMES: { key: keyof Omit<StatsWeek, 'week'>; label: string; color: string }[] = [
  { key: 'issued', label: 'Issued', color: '#2f7d4a' },
  { key: 'pending_approval', label: 'Pending approval', color: '#b7791f' },
  { key: 'refused', label: 'Refused', color: '#8a8f98' },
  { key: 'rejected', label: 'Rejected', color: '#6b46c1' },
  { key: 'voided', label: 'Voided', color: '#2b6cb0' },
  { key: 'failed', label: 'Failed', color: '#b3261e' },
];

/** True while the viewport is narrow: the charts then draw on a smaller canvas with larger text. */
function useNarrow(): boolean {
  const query = '(max-width: 40rem)';
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = (): void => setNarrow(list.matches);
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, []);
  return narrow;
}

/** The requests behind a bar: that week's (Monday to Sunday, UTC) with that outcome. */
const weekHref = (week: string, status: string): string =>
  listHref({ status, from: week, to: addDays(week, 6) });

/** Stacked bars: emergency licenses per week by outcome; each bar opens the requests behind it. */
function WeeklyChart(props: { weeks: StatsWeek[]; narrow: boolean }) {
  const W = props.narrow ? 320 : 640;
  const H = props.narrow ? 180 : 220;
  // Week labels: all of them when there is room, else every few.
  const every = Math.max(1, Math.ceil(props.weeks.length / (props.narrow ? 4 : 13)));
  const left = 32;
  const bottom = 40;
  const top = 10;
  const totals = props.weeks.map((w) => OUTCOMES.reduce((n, o) => n + w[o.key], 0));
  const max = Math.max(1, ...totals);
  const slot = (W - left - 8) / Math.max(1, props.weeks.length);
  const bar = Math.max(4, slot * 0.7);
  const y = (v: number): number => top + (H - top - bottom) * (1 - v / max);
  const summary = props.weeks
    .map(
      (w, i) =>
        `week of ${w.week}: ${totals[i] ?? 0} (${OUTCOMES.map((o) => `${w[o.key]} ${o.label.toLowerCase()}`).join(', ')})`,
    )
    .join('; ');
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="group"
        aria-label={`Emergency licenses per week by outcome: ${summary}`}
      >
        <line x1={left} x2={W - 4} y1={y(0)} y2={y(0)} stroke="#57606a" />
        {[0, Math.ceil(max / 2), max].map((v) => (
          <g key={v}>
            <line x1={left} x2={W - 4} y1={y(v)} y2={y(v)} stroke="#d0d7de" stroke-dasharray="2 3" />
            <text x={left - 4} y={y(v) + 3} font-size={10} text-anchor="end" fill="#1f2328">
              {v}
            </text>
          </g>
        ))}
        {props.weeks.map((w, i) => {
          let acc = 0;
          const x = left + i * slot + (slot - bar) / 2;
          return (
            <g key={w.week}>
              {OUTCOMES.map((o) => {
                const v = w[o.key];
                if (v === 0) return null;
                const y0 = y(acc);
                acc += v;
                return (
                  <a
                    key={o.key}
                    href={weekHref(w.week, o.key)}
                    aria-label={`Week of ${w.week}: ${v} ${o.label.toLowerCase()}. Open these requests`}
                  >
                    <rect x={x} y={y(acc)} width={bar} height={y0 - y(acc)} fill={o.color} />
                  </a>
                );
              })}
              {(props.weeks.length - 1 - i) % every === 0 ? (
                <text x={x + bar / 2} y={H - bottom + 14} font-size={10} text-anchor="middle" fill="#1f2328">
                  {w.week.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          {OUTCOMES.map((o) => (
            <li key={o.key}>
              <svg width="12" height="12" aria-hidden="true">
                <rect width="12" height="12" fill={o.color} />
              </svg>{' '}
              {o.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** Horizontal bars: refusals by code. */
function RefusalChart(props: { counts: Record<string, number>; narrow: boolean }) {
  const entries = Object.entries(props.counts).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return <p>No refusals in this period.</p>;
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const row = 22;
  const W = props.narrow ? 320 : 640;
  const labelW = props.narrow ? 190 : 250;
  return (
    <svg
      viewBox={`0 0 ${W} ${entries.length * row + 4}`}
      role="img"
      aria-label={`Refusals by code: ${entries.map(([c, n]) => `${c} ${n}`).join(', ')}`}
      class="chart"
    >
      {entries.map(([code, n], i) => (
        <g key={code}>
          <text x={labelW - 6} y={i * row + 15} font-size={11} text-anchor="end" fill="#1f2328">
            {code}
          </text>
          <rect
            x={labelW}
            y={i * row + 4}
            width={((W - labelW - 40) * n) / max}
            height={row - 8}
            fill="#8a8f98"
          />
          <text x={labelW + ((W - labelW - 40) * n) / max + 4} y={i * row + 15} font-size={11} fill="#1f2328">
            {n}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** What needs attention; emergency licenses per week by outcome, median time to delivery, refusals by code. */
export function DashboardPage(props: { api: ApiClient; role: Role }) {
  const narrow = useNarrow();
  // The first view is the API's default range (it knows today); the fields then show that range.
  const [to, setTo] = useState('');
  const [from, setFrom] = useState('');
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    props.api
      .get<Stats>(`/api/v1/stats${query(range)}`)
      .then((res) => {
        if (!live) return;
        if (res.status === 200) {
          setStats(res.body);
          if (res.body.from) setFrom(res.body.from);
          if (res.body.to) setTo(res.body.to);
          setError(null);
        } else setError(describeFailure(res));
      })
      .catch(() => live && setError('Lifeline could not be reached.'));
    return () => {
      live = false;
    };
  }, [range.from, range.to]);

  const total = stats ? stats.weeks.reduce((n, w) => n + OUTCOMES.reduce((m, o) => m + w[o.key], 0), 0) : 0;
  // An older server gives only minutes.
  const medianSeconds =
    stats?.medianSecondsToDelivery ??
    (stats?.medianMinutesToDelivery != null ? stats.medianMinutesToDelivery * 60 : null);
  const issued = stats ? stats.weeks.reduce((n, w) => n + w.issued, 0) : 0;

  return (
    <div class="dashboard">
      <Attention api={props.api} role={props.role} />
      <h2>Emergency licenses over time</h2>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setRange({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
        }}
      >
        <div class="grid">
          <div class="field">
            <label for="dash-from">From</label>
            <input id="dash-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="dash-to">To</label>
            <input id="dash-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          </div>
        </div>
        <div class="button-row">
          <button type="submit">Show</button>
        </div>
      </form>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {stats ? (
        <>
          <div class="tiles">
            <div class="tile">
              <span class="tile-value" data-stat="requests">
                {total}
              </span>
              <span class="tile-label">requests</span>
            </div>
            <div class="tile">
              <span class="tile-value" data-stat="issued">
                {issued}
              </span>
              <span class="tile-label">issued</span>
            </div>
            <div class="tile">
              <span class="tile-value" data-stat="median">
                {medianSeconds === null ? '—' : formatSeconds(medianSeconds)}
              </span>
              <span class="tile-label">median time to delivery</span>
            </div>
          </div>
          <section aria-labelledby="dash-weekly">
            <h3 id="dash-weekly">Emergency licenses per week, by outcome</h3>
            <WeeklyChart weeks={stats.weeks} narrow={narrow} />
            <details>
              <summary>The figures as a table</summary>
              <table class="list">
                <thead>
                  <tr>
                    <th scope="col">Week of</th>
                    {OUTCOMES.map((o) => (
                      <th scope="col" key={o.key}>
                        {o.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {stats.weeks.map((w) => (
                    <tr key={w.week}>
                      <td data-label="Week of">{w.week}</td>
                      {OUTCOMES.map((o) => (
                        <td data-label={o.label} key={o.key}>
                          {w[o.key] > 0 ? (
                            <a
                              href={weekHref(w.week, o.key)}
                              aria-label={`${w[o.key]} ${o.label.toLowerCase()} in the week of ${w.week}`}
                            >
                              {w[o.key]}
                            </a>
                          ) : (
                            0
                          )}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </section>
          <section aria-labelledby="dash-refusals">
            <h3 id="dash-refusals">Refusals by code</h3>
            <RefusalChart counts={stats.refusalsByCode} narrow={narrow} />
          </section>
        </>
      ) : error ? null : (
        <p>Loading…</p>
      )}
    </div>
  );
}
