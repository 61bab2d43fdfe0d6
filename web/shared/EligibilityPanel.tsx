/** The eligibility verdict as the form shows it: every rule, the warnings, the seat facts, the grace timeline. */
import type { CheckResult, EligibilityRules } from './api.js';
import { addDays, daysBetween } from './format.js';
import { ruleRows, verdictOf, type RuleView } from './rules.js';

/**
 * The grace window on a small timeline: expiry, the day the instance turned read-only (grace end),
 * the emergency window after it, and today.
 */
export function GraceTimeline(props: {
  expiresAt: string | null | undefined;
  graceEndsOn: string;
  today: string;
  /** The configured emergency window after the grace period (LIFELINE_WINDOW_DAYS). */
  windowDays: number;
}) {
  const windowEnd = addDays(props.graceEndsOn, props.windowDays);
  const points = [props.expiresAt ?? props.graceEndsOn, props.graceEndsOn, windowEnd, props.today];
  const start = points.reduce((a, b) => (a < b ? a : b));
  const end = points.reduce((a, b) => (a > b ? a : b));
  const span = Math.max(1, daysBetween(start, end) + 1);
  const W = 300;
  const pad = 12;
  const x = (date: string): number => pad + ((W - 2 * pad) * daysBetween(start, date)) / span;
  const dayWidth = (W - 2 * pad) / span;
  const inWindow = props.today >= props.graceEndsOn && props.today <= windowEnd;
  const label =
    `Timeline: license expired ${props.expiresAt ?? 'unknown'}, grace period ended ${props.graceEndsOn}, ` +
    `emergency window until ${windowEnd}, today ${props.today} is ${inWindow ? 'inside' : 'outside'} the window.`;
  return (
    <figure class="timeline">
      <svg viewBox={`0 0 ${W} 64`} role="img" aria-label={label} class="timeline-svg">
        <line x1={pad} x2={W - pad} y1={30} y2={30} stroke="#8a8f98" stroke-width={2} />
        {props.expiresAt ? (
          <rect
            x={x(props.expiresAt)}
            y={24}
            width={Math.max(2, x(props.graceEndsOn) - x(props.expiresAt))}
            height={12}
            fill="#f0c36d"
          />
        ) : null}
        <rect
          x={x(props.graceEndsOn)}
          y={22}
          width={Math.max(2, x(windowEnd) - x(props.graceEndsOn) + dayWidth)}
          height={16}
          fill="#3c9a5f"
        />
        <polygon
          points={`${x(props.today) + dayWidth / 2 - 6},8 ${x(props.today) + dayWidth / 2 + 6},8 ${x(props.today) + dayWidth / 2},18`}
          fill={inWindow ? '#1d6b3a' : '#b3261e'}
        />
        <text x={x(props.today) + dayWidth / 2} y={7} font-size={9} text-anchor="middle" fill="#1f2328">
          today
        </text>
        {props.expiresAt ? (
          <text x={x(props.expiresAt)} y={51} font-size={9} fill="#1f2328">
            expired
          </text>
        ) : null}
        <text x={x(props.graceEndsOn)} y={62} font-size={9} fill="#1f2328">
          read-only
        </text>
      </svg>
      <figcaption class="timeline-legend">
        <span>
          <span class="swatch swatch-grace" aria-hidden="true" /> grace {props.expiresAt ?? '?'} →{' '}
          {props.graceEndsOn}
        </span>
        <span>
          <span class="swatch swatch-window" aria-hidden="true" /> emergency window {props.graceEndsOn} →{' '}
          {windowEnd}
        </span>
        <span>today {props.today}</span>
      </figcaption>
    </figure>
  );
}

const STATE_WORDS = { passed: 'passed', failed: 'failed', skipped: 'not judged', waiting: 'not judged yet' };

/** Today as the API saw it (grace end + days since), when the facts allow. */
export function todayFromFacts(result: CheckResult): string | null {
  const { graceEndsOn, daysSinceGraceEnd } = result.facts;
  if (!graceEndsOn || typeof daysSinceGraceEnd !== 'number') return null;
  return addDays(graceEndsOn, daysSinceGraceEnd);
}

/**
 * Every rule passed / failed with its sentence (or waiting, when `view` holds it back), the
 * warnings, and the seat facts. `compact` (a phone, the sidebar) folds the list when every rule passes.
 */
export function EligibilityPanel(props: {
  result: CheckResult;
  /** The rules from the API; null until it has answered (the refusals are shown meanwhile). */
  rules: EligibilityRules | null;
  seats: number | null;
  onUseSeats?: (seats: number) => void;
  view?: RuleView;
  compact?: boolean;
}) {
  const { result, rules } = props;
  const rows = ruleRows(result, rules?.rules ?? [], props.view);
  const today = todayFromFacts(result);
  const { recommendedSeats, minimumSeats, graceEndsOn } = result.facts;
  const verdict = verdictOf(result, props.view);
  const list = (
    <ol class="rules">
      {rows.map((row) => (
        <li key={row.code} class={`rule rule-${row.state}`} data-code={row.code} data-state={row.state}>
          <span class="rule-icon" aria-hidden="true">
            {row.state === 'passed' ? '✓' : row.state === 'failed' ? '✗' : '–'}
          </span>
          <span>
            <strong>{row.info ? `${row.info.rule}. ${row.info.title}` : row.code}</strong>{' '}
            <span class="visually-hidden">{STATE_WORDS[row.state]}</span>
            {row.state === 'failed' ? <code class="code">{row.code}</code> : null}
            <span class="rule-message">{row.message}</span>
          </span>
        </li>
      ))}
    </ol>
  );
  return (
    <div class="eligibility" data-eligible={String(result.eligible)} data-verdict={verdict.kind}>
      <p class={`verdict verdict-${verdict.kind === 'eligible' ? 'ok' : verdict.kind}`}>{verdict.text}</p>
      {result.eligible && props.compact ? (
        <details class="rules-folded">
          <summary>Show the {rows.length} rules</summary>
          {list}
        </details>
      ) : (
        list
      )}
      {result.warnings.length > 0 ? (
        <div class="warnings">
          <h3>Warnings</h3>
          <ul>
            {result.warnings.map((w) => (
              <li key={w.code + w.message}>
                <code class="code">{w.code}</code> {w.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {recommendedSeats != null || minimumSeats != null ? (
        <dl class="facts">
          {recommendedSeats != null ? (
            <>
              <dt>Recommended seats</dt>
              <dd>
                <span data-fact="recommendedSeats">{recommendedSeats}</span>
                {props.onUseSeats && props.seats !== recommendedSeats ? (
                  <button
                    type="button"
                    class="link-button"
                    onClick={() => props.onUseSeats?.(recommendedSeats)}
                  >
                    Use {recommendedSeats}
                  </button>
                ) : null}
              </dd>
            </>
          ) : null}
          {minimumSeats != null ? (
            <>
              <dt>Smallest count GitLab accepts</dt>
              <dd data-fact="minimumSeats">{minimumSeats}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {graceEndsOn && today && rules ? (
        <GraceTimeline
          expiresAt={result.facts.expiresAt ?? null}
          graceEndsOn={graceEndsOn}
          today={today}
          windowDays={rules.settings.windowDays}
        />
      ) : null}
    </div>
  );
}
