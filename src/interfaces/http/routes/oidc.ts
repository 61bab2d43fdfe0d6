/**
 * Signing in with the identity provider (PRODUCT.md §12): `GET /auth/oidc/login` starts the flow
 * and sends the browser to the provider; `GET /auth/oidc/callback` finishes it and starts the same
 * console session as a login link. The flow is bound to the browser that started it by a short
 * cookie (SameSite=Lax: the provider's redirect back is a cross-site navigation). Failures land on
 * the login page, which says what happened; no session is made.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../app.js';
import { oidcRedirectUri } from '../../../config/oidc.js';
import { finishOidcSignIn, startOidcSignIn } from '../../../core/access/oidc.js';
import { setSessionCookie } from './session.js';

export const OIDC_COOKIE = 'lifeline_oidc';
const COOKIE_PATH = '/auth/oidc';
/** As long as a flow lives in the database (adapters/store/oidc-flows.ts). */
const COOKIE_SECONDS = 10 * 60;

/** What the login page is told (`/login?error=…`): it has a sentence for each. */
export type OidcError = 'oidc-off' | 'oidc-unavailable' | 'oidc-busy' | 'oidc-failed' | 'oidc-refused';

const toLogin = (reply: FastifyReply, error: OidcError) => reply.redirect(`/login?error=${error}`, 303);

/** The query exactly as it came (the provider's parameters), without the path. */
const queryOf = (request: FastifyRequest): string => {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
};

export function registerOidc(server: FastifyInstance, app: App): void {
  server.get('/auth/oidc/login', async (request, reply) => {
    const next = (request.query as Record<string, unknown>)['next'];
    let started: Awaited<ReturnType<typeof startOidcSignIn>>;
    try {
      started = await startOidcSignIn({ returnTo: next }, app.ports);
    } catch (error) {
      // The provider could not be reached: a fault for the operator's log, a sentence for the person.
      request.serverError = { code: 'INFRASTRUCTURE', error };
      return toLogin(reply, 'oidc-unavailable');
    }
    if (!started.ok) return toLogin(reply, started.error.code === 'RATE_LIMITED' ? 'oidc-busy' : 'oidc-off');
    reply.setCookie(OIDC_COOKIE, started.value.binding, {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: true,
      maxAge: COOKIE_SECONDS,
    });
    return reply.redirect(started.value.url, 303);
  });

  server.get('/auth/oidc/callback', async (request, reply) => {
    const settings = app.settings.oidc;
    if (!settings) return toLogin(reply, 'oidc-off');
    // The token request names the registered redirect URI, whatever Host this request came with.
    const callbackUrl = new URL(`${oidcRedirectUri(app.config)}?${queryOf(request)}`);
    const binding = request.cookies[OIDC_COOKIE];
    const finished = await finishOidcSignIn({ callbackUrl, binding }, app.ports, settings);
    if (!finished.ok) {
      // The provider's reason helps the operator; a refusal's sentence names the person, so not that.
      const { code, message } = finished.error;
      request.log.info(code === 'FORBIDDEN' ? { code } : { code, reason: message }, 'OIDC sign-in failed');
      return toLogin(reply, finished.error.code === 'FORBIDDEN' ? 'oidc-refused' : 'oidc-failed');
    }
    // Only a finished flow clears its cookie: a forged callback cannot end a sign-in in progress.
    reply.clearCookie(OIDC_COOKIE, { path: COOKIE_PATH });
    setSessionCookie(app, reply, finished.value);
    return reply.redirect(finished.value.returnTo, 303);
  });
}
