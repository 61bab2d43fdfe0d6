/** The stand-in's ticket page: a fake ticket from the query string, with the sidebar in a 320 px frame. */
import { isEmailAddress } from '../../../core/limits.js';
import { escapeHtml } from '../../../core/text/html.js';

export interface FakeTicket {
  ticket: string;
  requester: string;
  requesterName: string;
  agent: string;
  agentName: string;
  /** The screenshots attached to the fake ticket (served by the stand-in's tickets API). */
  screenshots: string;
}

/** Which of step 1's screenshots the fake ticket carries. */
export const FAKE_SCREENSHOTS = ['both', 'dashboard', 'subscription', 'none'] as const;

const DEFAULT_TICKET: FakeTicket = {
  ticket: '1001',
  requester: 'ops@customer.example',
  requesterName: 'Casey Customer',
  agent: 'engineer@example.com',
  agentName: 'Support Engineer',
  screenshots: 'both',
};

/** The fake ticket of the query string, or the name of the first bad parameter. */
export function fakeTicket(query: unknown): { ticket: FakeTicket } | { field: string; rule: string } {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const ticket = { ...DEFAULT_TICKET };
  const matching = (pattern: RegExp) => (value: string) => pattern.test(value);
  const name = matching(/^[^<>\n\r]{1,100}$/);
  const rules: Record<keyof FakeTicket, [(value: string) => boolean, string]> = {
    ticket: [matching(/^[1-9][0-9]{0,11}$/), 'a ticket number'],
    requester: [isEmailAddress, 'an email address'],
    requesterName: [name, 'a name of at most 100 characters'],
    agent: [isEmailAddress, 'an email address'],
    agentName: [name, 'a name of at most 100 characters'],
    screenshots: [
      (v) => (FAKE_SCREENSHOTS as readonly string[]).includes(v),
      `one of ${FAKE_SCREENSHOTS.join(', ')}`,
    ],
  };
  for (const key of Object.keys(rules) as (keyof FakeTicket)[]) {
    const value = q[key];
    if (value === undefined || value === '') continue;
    const [valid, rule] = rules[key];
    if (typeof value !== 'string' || !valid(value)) return { field: key, rule: `must be ${rule}` };
    ticket[key] = value;
  }
  return { ticket };
}

export const DEV_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#2f3941;background:#f8f9f9}
.zd-top{background:#03363d;color:#fff;padding:8px 16px;font-weight:600;display:flex;gap:12px;align-items:center}
.zd-top small{font-weight:400;opacity:.8}
.zd-main{display:flex;min-height:calc(100vh - 38px)}
.zd-ticket{flex:1;padding:20px 24px;min-width:0}
.zd-ticket h1{font-size:20px;margin:0 0 4px}
.zd-meta{color:#68737d;margin:0 0 16px}
.zd-comment{background:#fff;border:1px solid #d8dcde;border-radius:4px;padding:12px 16px;max-width:640px}
.zd-warning{margin-top:24px;max-width:640px;border-left:4px solid #cc3340;background:#fff0f1;padding:8px 12px}
.zd-apps{width:352px;flex:none;border-left:1px solid #d8dcde;background:#fff;padding:12px 16px}
.zd-apps h2{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#68737d;margin:0 0 8px}
.zd-app-head{display:flex;align-items:center;gap:8px;font-weight:600;margin-bottom:8px}
.zd-app-head img{width:20px;height:20px;border-radius:4px}
#lifeline-app{display:block;width:320px;height:640px;border:0}
.zd-missing{width:320px;padding:12px;border:1px dashed #c2c8cc;color:#68737d}
code{background:#f3f4f5;padding:1px 4px;border-radius:3px}
`;

export function devPage(ticket: FakeTicket, sidebarBuilt: boolean): string {
  // The sidebar gets the ticket as Zendesk gives it; the attachments are the stand-in API's.
  const { screenshots: _attached, ...shown } = ticket;
  const frameQuery = new URLSearchParams({ ...shown }).toString();
  const e = escapeHtml;
  const frame = sidebarBuilt
    ? `<iframe id="lifeline-app" title="Lifeline" src="/zendesk/dev/app/iframe.html?${e(frameQuery)}"></iframe>`
    : `<p class="zd-missing">The sidebar app is not built: build it (<code>vite build --mode sidebar</code> from <code>web/</code>) into <code>dist/web/sidebar/</code> and reload.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>#${e(ticket.ticket)} · Zendesk sidebar stand-in · Lifeline</title>
<link rel="stylesheet" href="/zendesk/dev/dev.css">
</head>
<body>
<header class="zd-top">Zendesk stand-in <small>Lifeline development page, not Zendesk</small></header>
<div class="zd-main">
<main class="zd-ticket">
<h1>Ticket #${e(ticket.ticket)}</h1>
<p class="zd-meta">Requester ${e(ticket.requesterName)} &lt;${e(ticket.requester)}&gt; · Assignee ${e(ticket.agentName)} &lt;${e(ticket.agent)}&gt;</p>
<div class="zd-comment">Our GitLab license expired and the instance is read-only since this morning. Can you help?</div>
<p class="zd-meta">Attached screenshots: ${e(ticket.screenshots)} (<code>?screenshots=</code>${FAKE_SCREENSHOTS.map(e).join(', ')}; served to Lifeline when <code>ZENDESK_URL</code> is this stand-in, <code>…/zendesk/dev</code>)</p>
<p class="zd-warning">This page imitates Zendesk’s ticket sidebar. Its proxy signs requests with <code>ZENDESK_APP_SECRET</code> for anyone who can open it: never set <code>LIFELINE_ZENDESK_DEV</code> outside development.</p>
</main>
<aside class="zd-apps" aria-label="Apps">
<h2>Apps</h2>
<div class="zd-app-head"><img src="/zendesk/dev/logo-small.png" alt="">Lifeline</div>
${frame}
</aside>
</div>
</body>
</html>
`;
}

// ───────────────────────────── the proxy ─────────────────────────────
