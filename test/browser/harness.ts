/**
 * Browser tests: a real Lifeline (in-process Fastify on a loopback port, temporary SQLite data dir,
 * the embedded default's local deliveries run by a real worker loop) and a real Chromium driven by
 * playwright-core. The clock is pinned to Saturday 2026-11-28 10:00 UTC and runs on from there.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createToken } from '../../src/adapters/store/tokens.js';
import type { App } from '../../src/app.js';
import { createHttpServer } from '../../src/interfaces/http/server.js';
import { runWorker } from '../../src/interfaces/worker/run-worker.js';
import { appWith } from '../deliveries/harness.js';
import { REPO_ROOT } from '../integration/helpers.js';
import { storeOf } from '../../src/app.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ZENDESK_SECRET = 'zendesk-shared-secret-for-browser-tests-0123';
export const PINNED_START = '2026-11-28T10:00:00.000Z';
export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'screenshots');
export const WEB_BUILT = existsSync(join(REPO_ROOT, 'dist', 'web', 'console', 'index.html'));

export interface WebEnv {
  app: App & { dataDir: string };
  server: FastifyInstance;
  baseUrl: string;
  tokens: { engineer: string; licensing: string; admin: string };
  browser: Browser;
  close(): Promise<void>;
}

/**
 * `env` adds to (or, empty, unsets) the app's configuration, e.g. LIFELINE_REPEAT_WINDOW_DAYS;
 * `port` when the address must be known beforehand (LIFELINE_PUBLIC_URL).
 */
export async function startWeb(
  env: Record<string, string> = {},
  options: { port?: number } = {},
): Promise<WebEnv> {
  if (!WEB_BUILT) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  const app = await appWith({
    ZENDESK_APP_SECRET: ZENDESK_SECRET,
    LIFELINE_RATE_LIMIT_PER_USER: '1000000',
    LIFELINE_RATE_LIMIT_PER_CUSTOMER: '1000000',
    ...env,
  });
  const base = Date.parse(PINNED_START);
  const started = Date.now();
  app.ports.clock = { now: () => new Date(base + (Date.now() - started)) };
  const server = await createHttpServer(app);
  await server.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const stop = new AbortController();
  const worker = runWorker(app, { signal: stop.signal, pollMs: 150 });
  const tokens = {
    engineer: (await createToken(storeOf(app).db, { name: 'erin', role: 'engineer' })).secret,
    licensing: (await createToken(storeOf(app).db, { name: 'lee', role: 'licensing' })).secret,
    admin: (await createToken(storeOf(app).db, { name: 'ada', role: 'admin' })).secret,
  };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    app,
    server,
    baseUrl: `http://127.0.0.1:${address.port}`,
    tokens,
    browser,
    close: async () => {
      await browser.close();
      stop.abort();
      await worker;
      await server.close();
      await app.close();
    },
  };
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console messages about the Content Security Policy and uncaught page errors. */
  problems: string[];
  /** Requests the page tried to make to anything but the server (none may happen). */
  external: string[];
}

export async function openTab(
  env: WebEnv,
  options: { width?: number; height?: number; bypassCSP?: boolean } = {},
): Promise<Tab> {
  const context = await env.browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    ...(options.bypassCSP ? { bypassCSP: true } : {}),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  const external: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(env.baseUrl) && !url.startsWith('blob:') && !url.startsWith('data:'))
      external.push(url);
  });
  return { context, page, problems, external };
}

/** Signs in through the login page with an API token. */
export async function signIn(tab: Tab, env: WebEnv, token: string): Promise<void> {
  const { page } = tab;
  await page.goto(`${env.baseUrl}/login`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

const AXE_SOURCE = readFileSync(join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Every axe-core violation on the page as it is now, whatever its impact (heading order included),
 * with the nodes it names.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const has = await page.evaluate('typeof window.axe !== "undefined"');
  if (!has) await page.evaluate(`${AXE_SOURCE}\n;0`);
  return (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))`,
  )) as AxeViolation[];
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Elements wider than the viewport (a page readable at 320 px scrolls only vertically). */
export async function horizontalOverflow(
  page: Page,
): Promise<{ scrollWidth: number; width: number; offenders: string[] }> {
  return (await page.evaluate(`({
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    offenders: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      // Clipped to 1 px on purpose (screen-reader text, the table head of the narrow card layout).
      .filter((e) => !e.closest('.visually-hidden, thead'))
      .slice(0, 8)
      .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ' ' + JSON.stringify((e.textContent || '').slice(0, 30)) + ' ' + Math.round(e.getBoundingClientRect().right)),
  })`)) as { scrollWidth: number; width: number; offenders: string[] };
}

let ticket = 51000;
/** A fresh ticket and customer (rule 9 remembers customers by email domain). */
export function freshCustomer(): { ticket: string; email: string } {
  ticket++;
  return { ticket: String(ticket), email: `ops@customer${ticket}.example` };
}

/** Issues (or refuses) a request through the API with the engineer's token; answers the status and record. */
export async function issueThroughApi(
  env: WebEnv,
  body: Record<string, unknown>,
): Promise<{ status: number; record: { id: string; status: string } & Record<string, unknown> }> {
  const res = await fetch(`${env.baseUrl}/api/v1/emergency-licenses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.tokens.engineer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ plan: 'premium', today: '2026-11-28', ...body }),
  });
  return { status: res.status, record: (await res.json()) as { id: string; status: string } };
}
