/**
 * Signing in with the identity provider and the admins' Access page, in a real Chromium against a
 * real Lifeline and a REAL OpenID provider (oidc-provider) on another loopback site: "Sign in with …"
 * on the login page, the provider's own pages, landing signed in with the mapped role; an unmapped
 * person gets a clear page; the Access page creates a token (the secret shown once, copied with the
 * button), revokes it and ends a session after confirming; axe-core finds nothing on any state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeOf } from '../../src/app.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  freePort,
  ROLES_SETTING,
  startProvider,
  type TestProvider,
} from '../helpers/oidc-provider.js';
import { openTab, screenshot, axeViolations, signIn, startWeb, type Tab, type WebEnv } from './harness.js';

let env: WebEnv;
let provider: TestProvider;

beforeAll(async () => {
  const port = await freePort();
  // The provider on "localhost", Lifeline on 127.0.0.1: two sites, as in production.
  provider = await startProvider(`http://127.0.0.1:${port}/auth/oidc/callback`, 'localhost');
  env = await startWeb(
    {
      LIFELINE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      OIDC_ISSUER: provider.issuer,
      OIDC_NAME: 'Acme SSO',
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_ROLES: ROLES_SETTING,
    },
    { port },
  );
}, 60_000);

afterAll(async () => {
  await env?.close();
  await provider?.close();
});

/** From the login page shown through the provider's sign-in and consent pages, as `login`. */
async function signInWithProvider(tab: Tab, login: string): Promise<void> {
  const { page } = tab;
  await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('signing in with the identity provider, in a browser', { timeout: 60_000 }, () => {
  it('the login page offers "Sign in with Acme SSO" and the token; an admin lands signed in', async () => {
    const tab = await openTab(env);
    const { page } = tab;
    await page.goto(`${env.baseUrl}/requests`);
    await page.waitForURL(`${env.baseUrl}/login?next=%2Frequests`);
    const link = page.getByRole('link', { name: 'Sign in with Acme SSO' });
    expect(await link.getAttribute('href')).toBe('/auth/oidc/login?next=%2Frequests');
    await expect.poll(() => page.getByLabel('API token').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'login-with-provider');

    await signInWithProvider(tab, 'ada');
    // Back on the page the person was going to, signed in with the role their groups give.
    await page.waitForURL(`${env.baseUrl}/requests`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.locator('.topbar .user').innerText()).toContain('ada@acme.example (admin)');
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access' }).count(),
    ).toBe(1);
    expect(tab.problems).toEqual([]);

    // Signing out ends Lifeline's session; signing in again needs no password at the provider.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${env.baseUrl}/login`);
    await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await tab.context.close();
  });

  it('an engineer gets no Access page', async () => {
    const tab = await openTab(env);
    const { page } = tab;
    await page.goto(`${env.baseUrl}/login`);
    await signInWithProvider(tab, 'erin');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.locator('.topbar .user').innerText()).toContain('(engineer)');
    expect(await page.getByRole('link', { name: 'Access' }).count()).toBe(0);
    await page.goto(`${env.baseUrl}/access`);
    await page.getByText('Only admins manage tokens and sessions.').waitFor();
    await tab.context.close();
  });

  it('a person in no mapped group sees why, and is not signed in', async () => {
    const tab = await openTab(env);
    const { page } = tab;
    await page.goto(`${env.baseUrl}/login`);
    await signInWithProvider(tab, 'mallory');
    await page.waitForURL(`${env.baseUrl}/login?error=oidc-refused`);
    await page.getByRole('alert').filter({ hasText: 'not in a group that may use Lifeline' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'login-refused');
    await tab.context.close();
  });
});

describe('the Access page (admins)', { timeout: 60_000 }, () => {
  it('creates a token (secret shown once, copied), revokes it and ends a session, each after confirming', async () => {
    const admin = await openTab(env, { width: 1366, height: 900 });
    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.baseUrl });
    const engineer = await openTab(env);
    await signIn(engineer, env, env.tokens.engineer);
    await signIn(admin, env, env.tokens.admin);
    const { page } = admin;
    await page.getByRole('link', { name: 'Access' }).click();
    await page.getByRole('heading', { name: 'Tokens and sessions' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'erin' }).first().waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // An empty name is marked on the field.
    await page.getByRole('button', { name: 'Create token' }).click();
    expect(await page.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Name').fill('deploy-bot');
    await page.getByLabel('Role').selectOption('licensing');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secretField = page.getByLabel('Secret of deploy-bot');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^llt_[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Copied.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'access-1366');
    await page.getByRole('button', { name: 'Done: hide the secret' }).click();
    expect(await page.content()).not.toContain(secret);
    const row = page.getByRole('row').filter({ hasText: 'deploy-bot' });
    expect(await row.innerText()).toContain('Live');

    // Revoke: the dialog first; Cancel changes nothing.
    await row.getByRole('button', { name: 'Revoke deploy-bot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the token deploy-bot?' });
    await dialog.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await row.innerText()).toContain('Live');
    await row.getByRole('button', { name: 'Revoke deploy-bot' }).click();
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('Token deploy-bot revoked.').waitFor();
    await expect.poll(() => row.innerText()).toContain('Revoked');
    const revoked = await env.app.ports.tokens.findLive(secret);
    expect(revoked).toBeNull();

    // End the engineer's session: their console sends them to the login page.
    const erinRow = page
      .getByRole('region', { name: 'Console sessions' })
      .getByRole('row')
      .filter({ hasText: 'erin' })
      .first();
    await erinRow.getByRole('button', { name: /End session/ }).click();
    await page
      .getByRole('dialog', { name: "End erin's session?" })
      .getByRole('button', { name: 'End session' })
      .click();
    await page.getByText("erin's session ended.").waitFor();
    await engineer.page.goto(`${env.baseUrl}/requests`);
    await engineer.page.waitForURL(/\/login/);
    const live = await storeOf(env.app).db.selectFrom('web_sessions').select('name').execute();
    expect(live.map((s) => s.name)).not.toContain('erin');
    expect(admin.problems).toEqual([]);
    await engineer.context.close();
    await admin.context.close();
  });

  it('reads at 390 px, tables as cards, without scrolling sideways', async () => {
    const tab = await openTab(env, { width: 390, height: 844 });
    await signIn(tab, env, env.tokens.admin);
    const { page } = tab;
    await page.goto(`${env.baseUrl}/access`);
    await page.getByRole('row').filter({ hasText: 'ada' }).first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'access-390');
    await tab.context.close();
  });
});
