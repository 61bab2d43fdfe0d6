/**
 * Web console sessions (PRODUCT.md §8 web console, §10, §12): sign in with an API token, a one-time
 * link printed by `lifeline serve`, or the identity provider (routes/oidc.ts); the session lives in a
 * Secure, HTTP-only, SameSite=Lax cookie and every request that changes something also sends the
 * session's CSRF token (X-CSRF-Token).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { App } from '../../../app.js';
import {
  sessionOf,
  signInWithLink,
  signInWithToken,
  signOut,
  type SignedIn,
} from '../../../core/access/sessions.js';
import { unwrap } from '../../../core/outcome.js';
import { SESSION_COOKIE } from '../auth.js';
import { parse, type ApiRoute } from '../route.js';
import { ErrorBody, SignInMethodsBody } from '../schemas.js';

const SignInBody = z.object({ token: z.string().min(1).max(200) }).strict();
const SessionBody = z.object({
  user: z.object({ name: z.string(), role: z.enum(['engineer', 'licensing', 'admin']) }),
  /** Send it as X-CSRF-Token on every POST made with the session cookie; null for bearer callers. */
  csrfToken: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /**
   * The server signs with a development key (generated for the embedded default): GitLab will not
   * accept its licenses. The console shows it on every page.
   */
  developmentKey: z.boolean(),
  /** LIFELINE_SUPPORT_TIMEZONE (IANA): the console shows times in it. */
  supportTimeZone: z.string(),
});

/** The session's cookie, until the session ends. */
export function setSessionCookie(app: App, reply: FastifyReply, signedIn: SignedIn): void {
  const seconds = (Date.parse(signedIn.session.expiresAt) - app.ports.clock.now().getTime()) / 1000;
  reply.setCookie(SESSION_COOKIE, signedIn.secret, {
    path: '/',
    httpOnly: true,
    // Lax, so that the provider's redirect and links from Zendesk or Slack arrive signed in; every
    // change still needs the CSRF token, which a foreign page cannot read or send.
    sameSite: 'lax',
    // Browsers accept Secure cookies over plain HTTP only from localhost and 127.0.0.1: anywhere
    // else the console must be served over HTTPS.
    secure: true,
    maxAge: Math.max(0, Math.round(seconds)),
  });
}

export const sessionRoutes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/api/v1/session',
    summary: 'Sign in to the web console with an API token (sets the session cookie)',
    public: true,
    body: SignInBody,
    responses: {
      200: { description: 'signed in', schema: SessionBody },
      400: { description: 'invalid input', schema: ErrorBody },
      401: { description: 'unknown or revoked token', schema: ErrorBody },
    },
    async handler(ctx, reply) {
      const body = parse(SignInBody, ctx.body, 'body');
      const signedIn = unwrap(await signInWithToken(body.token, ctx.app.ports));
      setSessionCookie(ctx.app, reply, signedIn);
      return {
        user: signedIn.session.actor,
        csrfToken: signedIn.csrfToken,
        expiresAt: signedIn.session.expiresAt,
        developmentKey: ctx.app.ports.signer.development,
        supportTimeZone: ctx.app.settings.supportTimeZone,
      };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/session/methods',
    summary: 'How people may sign in to the web console (asked by the login page, before signing in)',
    public: true,
    responses: { 200: { description: 'the sign-in methods', schema: SignInMethodsBody } },
    async handler(ctx) {
      const oidc = ctx.app.config.oidc;
      return { token: true, oidc: oidc ? { name: oidc.name, url: '/auth/oidc/login' } : null };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/session',
    summary:
      'Who is signed in, the CSRF token of a console session, whether the server signs with a development key, and the support time zone',
    responses: { 200: { description: 'the caller', schema: SessionBody } },
    async handler(ctx) {
      const user = { name: ctx.actor.name, role: ctx.actor.role };
      const developmentKey = ctx.app.ports.signer.development;
      const supportTimeZone = ctx.app.settings.supportTimeZone;
      if (!ctx.sessionSecret)
        return { user, csrfToken: null, expiresAt: null, developmentKey, supportTimeZone };
      const session = await sessionOf(ctx.sessionSecret, ctx.app.ports);
      return {
        user,
        csrfToken: ctx.app.ports.sessions.csrfTokenOf(ctx.sessionSecret),
        expiresAt: session?.expiresAt ?? null,
        developmentKey,
        supportTimeZone,
      };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/session/logout',
    summary: 'Sign out of the web console (ends the session, clears the cookie)',
    responses: { 200: { description: 'signed out', schema: z.object({ signedOut: z.literal(true) }) } },
    async handler(ctx, reply) {
      if (ctx.sessionSecret) await signOut(ctx.sessionSecret, ctx.app.ports);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { signedOut: true };
    },
  },
];

/**
 * `GET /login/link?code=…`: the one-time link printed by `lifeline serve` (or `lifeline login-link`).
 * A good code signs the browser in and lands on the console; any other lands on the login page.
 */
export function registerLoginLink(server: FastifyInstance, app: App): void {
  server.get('/login/link', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const code = typeof query['code'] === 'string' ? query['code'] : '';
    const signedIn = await signInWithLink(code, app.ports);
    if (!signedIn.ok) return reply.redirect('/login?error=link', 303);
    setSessionCookie(app, reply, signedIn.value);
    return reply.redirect('/', 303);
  });
}
