/**
 * The routes that serve the web console and the sidebar app: client routes answer the console page
 * without credentials, assets are served from the build with long caching, nothing outside the build
 * folder is reachable, and the CSP allows only the app's own files (no inline script anywhere).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import {
  CONSOLE_CSP,
  CONSOLE_ROUTES,
  DEFAULT_WEB_DIR,
  registerWeb,
  SIDEBAR_CSP,
} from '../../src/interfaces/http/web.js';
import { startApi, type Api } from './helpers.js';

describe('web routes on a build folder', () => {
  let dir: string;
  let server: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeline-web-'));
    mkdirSync(join(dir, 'console', 'assets'), { recursive: true });
    mkdirSync(join(dir, 'sidebar'), { recursive: true });
    writeFileSync(join(dir, 'console', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'console', 'assets', 'app-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'console', 'assets', 'app-abc123.css'), 'body{}');
    writeFileSync(join(dir, 'console', 'secret.txt'), 'not an asset');
    writeFileSync(join(dir, 'sidebar', 'index.html'), '<!doctype html><title>sidebar</title>');
    writeFileSync(join(dir, 'sidebar', 'side-1.js'), 'void 0');
    server = Fastify();
    registerWeb(server, {} as App, dir);
    await server.ready();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers every client route with the console page and its CSP', async () => {
    for (const route of CONSOLE_ROUTES) {
      const url = route.replace(':id', 'req_123');
      const res = await server.inject({ method: 'GET', url: `${url}?x=1` });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>console</title>');
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    expect(CONSOLE_CSP).toContain("script-src 'self';");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  });

  it('serves assets with their type and long caching, and nothing outside the assets folder', async () => {
    const js = await server.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe('console.log(1)');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await server.inject({ method: 'GET', url: '/assets/app-abc123.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const url of [
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/..%2fsecret.txt',
      '/assets/.hidden',
      '/assets/',
      '/assets/missing.js',
      '/assets/app-abc123.js%00.png',
    ]) {
      const res = await server.inject({ method: 'GET', url });
      expect([404, 400], url).toContain(res.statusCode);
      expect(res.body).not.toContain('not an asset');
    }
  });

  it('serves the sidebar under /sidebar/, frameable by the same origin only', async () => {
    const page = await server.inject({ method: 'GET', url: '/sidebar/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>sidebar</title>');
    expect(page.headers['content-security-policy']).toBe(SIDEBAR_CSP);
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(SIDEBAR_CSP).toContain("frame-ancestors 'self'");
    const js = await server.inject({ method: 'GET', url: '/sidebar/side-1.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const redirect = await server.inject({ method: 'GET', url: '/sidebar' });
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers['location']).toBe('/sidebar/');
    const outside = await server.inject({ method: 'GET', url: '/sidebar/../console/secret.txt' });
    expect(outside.statusCode).toBe(404);
  });

  it('says plainly when the console is not built', async () => {
    const empty = Fastify();
    registerWeb(empty, {} as App, mkdtempSync(join(tmpdir(), 'lifeline-web-empty-')));
    const res = await empty.inject({ method: 'GET', url: '/requests' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toMatch(/not built: run `npm run build`/);
    const sidebar = await empty.inject({ method: 'GET', url: '/sidebar/' });
    expect(sidebar.statusCode).toBe(503);
    expect((await empty.inject({ method: 'GET', url: '/favicon.ico' })).statusCode).toBe(404);
    await empty.close();
  });
});

describe('the built console and sidebar in the real server', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers the console page without credentials, while the API still requires them', async () => {
    const page = await api.call('GET', '/requests/anything', { token: null });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    const apiCall = await api.call('GET', '/api/v1/emergency-licenses', { token: null });
    expect(apiCall.statusCode).toBe(401);
    expect(apiCall.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('builds pages with no inline script and no asset from the internet', async () => {
    const consoleHtml = readFileSync(join(DEFAULT_WEB_DIR, 'console', 'index.html'), 'utf8');
    const sidebarHtml = readFileSync(join(DEFAULT_WEB_DIR, 'sidebar', 'index.html'), 'utf8');
    const scripts = (html: string) => [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    for (const html of [consoleHtml, sidebarHtml]) {
      const found = scripts(html);
      expect(found.length).toBeGreaterThan(0);
      for (const [, attributes, body] of found) {
        expect(attributes).toMatch(/\bsrc=/);
        expect(body?.trim()).toBe('');
      }
    }
    // The console loads only its own files; the sidebar only the ZAF SDK besides its own, relatively.
    expect(consoleHtml).not.toMatch(/https?:\/\//);
    const sidebarUrls = [...sidebarHtml.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sidebarUrls.filter((u) => /^https?:/.test(u ?? ''))).toEqual([
      'https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js',
    ]);
    for (const url of sidebarUrls.filter((u) => !/^https?:/.test(u ?? ''))) expect(url).toMatch(/^\.\//);
    // No file of the build fetches anything from the internet either (fonts, scripts).
    for (const folder of ['console/assets', 'sidebar']) {
      for (const file of readdirSync(join(DEFAULT_WEB_DIR, folder)).filter((f) => /\.(js|css)$/.test(f))) {
        const text = readFileSync(join(DEFAULT_WEB_DIR, folder, file), 'utf8');
        expect(text, file).not.toMatch(
          /https?:\/\/(?!www\.w3\.org\/)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s)]*\.(js|css|woff2?)/i,
        );
      }
    }
    // The favicon the page names, and the one every browser asks for, are served from the build.
    expect(consoleHtml).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml"');
    const ico = await api.call('GET', '/favicon.ico', { token: null });
    expect(ico.statusCode).toBe(200);
    expect(ico.headers['content-type']).toBe('image/x-icon');
    expect(ico.rawPayload.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    const svg = await api.call('GET', '/favicon.svg', { token: null });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.body).toMatch(/^<svg /);
    // Every asset the console page names is served.
    for (const [, url] of consoleHtml.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      const res = await api.call('GET', url!, { token: null });
      expect(res.statusCode, url).toBe(200);
    }
  });
});
