/**
 * Builds the web console (`dist/web/console`, served at `/` by `lifeline serve`) or, with
 * `--mode sidebar`, the Zendesk sidebar app (`dist/web/sidebar`, relative paths and a flat folder
 * so that its page can become `assets/iframe.html` of the Zendesk package). Preact through the
 * built-in JSX transform; nothing is loaded from the internet at run time.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));
const distDir = fileURLToPath(new URL('../dist/web/', import.meta.url));

export default defineConfig(({ mode }) => {
  const sidebar = mode === 'sidebar';
  return {
    root: `${webDir}${sidebar ? 'sidebar' : 'console'}`,
    base: sidebar ? './' : '/',
    // The console's favicon (web/public) is copied as it is, at /favicon.ico and /favicon.svg.
    publicDir: sidebar ? false : `${webDir}public`,
    logLevel: 'warn',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    // `npx vite --config web/vite.config.ts` serves the console with live reload; the API calls go
    // to a `lifeline serve` running on its default port.
    server: {
      proxy: { '/api': 'http://127.0.0.1:3000', '/login/link': 'http://127.0.0.1:3000' },
    },
    build: {
      outDir: `${distDir}${sidebar ? 'sidebar' : 'console'}`,
      emptyOutDir: true,
      assetsDir: sidebar ? '' : 'assets',
      // Every asset is a file (no inline data: scripts) so the CSP can stay `script-src 'self'`.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      target: 'es2022',
      sourcemap: false,
      reportCompressedSize: false,
    },
  };
});
