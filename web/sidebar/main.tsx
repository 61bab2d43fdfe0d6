/**
 * The Zendesk sidebar app (ticket_sidebar): the ticket's request first when it has one, else the
 * console's issue form pre-filled from the ticket (TicketSidebar), calling Lifeline only through
 * ZAF's signed `client.request`. No login: the JWT authenticates.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../shared/api.js';
import { Alert } from '../shared/components.js';
import '../shared/styles.css';
import { TicketSidebar } from './TicketSidebar.js';
import { createZafApiClient, loadContext, type SidebarContext, type ZafClient } from './zaf.js';

function Sidebar(props: { client: ZafClient }) {
  const [state, setState] = useState<{ context: SidebarContext; api: ApiClient } | { error: string } | null>(
    null,
  );
  useEffect(() => {
    loadContext(props.client)
      .then((context) => {
        if (!context.backendUrl)
          setState({ error: 'The app setting backend_url is empty: ask your Zendesk admin.' });
        else setState({ context, api: createZafApiClient(props.client, context) });
      })
      .catch(() => setState({ error: 'Could not read the ticket from Zendesk.' }));
  }, []);

  if (!state) return <p>Loading the ticket…</p>;
  if ('error' in state) return <Alert kind="error">{state.error}</Alert>;
  return <TicketSidebar api={state.api} context={state.context} />;
}

/** Keeps the iframe as tall as the app. */
function autoResize(client: ZafClient): void {
  let last = 0;
  // The content's own height, not the document's: the document is never shorter than the frame,
  // so measuring it could grow the frame but never shrink it back.
  const content = document.getElementById('app') ?? document.body;
  const resize = (): void => {
    const style = getComputedStyle(document.body);
    const margins = parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    const height = Math.ceil(
      content.getBoundingClientRect().height + (Number.isFinite(margins) ? margins : 0),
    );
    if (height === last) return;
    last = height;
    void client.invoke('resize', { width: '100%', height: `${height}px` }).catch(() => undefined);
  };
  new ResizeObserver(resize).observe(content);
  resize();
}

const root = document.getElementById('app');
if (root) {
  const client = window.ZAFClient?.init();
  if (!client) {
    render(
      <main class="sidebar-app">
        <Alert kind="error">
          This page is the Lifeline app for the Zendesk ticket sidebar: open it inside Zendesk.
        </Alert>
      </main>,
      root,
    );
  } else {
    render(
      <main class="sidebar-app">
        <h1>Emergency license</h1>
        <Sidebar client={client} />
      </main>,
      root,
    );
    autoResize(client);
  }
}
