// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The launcher is CommonJS (bin/package.json), so that no ES module loader starts before a command needs one.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The web console and sidebar run in the browser.
    files: ['web/**/*.{ts,tsx}'],
    ignores: ['web/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The bundle takes the core's limits and formats, its forgiving readings of pasted input and the
      // screenshot fields (pure, importing only limits.ts); the rest comes from the API, whose
      // response schemas give the web its types (type-only imports: nothing of them is bundled).
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^node:|(^|/)src/(?!core/(limits|forgiving-input|evidence/fields)\\.js$|interfaces/http/responses\\.js$)',
              message:
                'web/ may import only src/core/limits.ts, src/core/forgiving-input.ts and src/core/evidence/fields.ts from src/ (it runs in the browser).',
            },
            {
              regex: '(^|/)src/interfaces/http/responses\\.js$',
              allowTypeImports: true,
              message: 'web/ takes only the types of the API responses (import type).',
            },
          ],
        },
      ],
    },
  },
  {
    // One way for data to flow: the interfaces and the CLI reach adapters only through the ports the
    // composition (src/app.ts, src/compose/) wires, never by importing them.
    files: ['src/interfaces/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**'],
              message:
                'src/interfaces and src/cli use ports (app.ports); adapters are wired in src/app.ts or src/compose/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The boundary rule: the core is pure. No file system, network, database, process or framework.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:fs',
                'node:fs/*',
                'fs',
                'fs/*',
                'node:net',
                'net',
                'node:http',
                'http',
                'node:https',
                'https',
                'node:child_process',
                'child_process',
                'node:worker_threads',
                'node:os',
                'os',
                'node:process',
                'better-sqlite3',
                'pg',
                'kysely',
                'commander',
                'pino',
                'nodemailer',
                'fastify',
                '**/adapters/**',
                '**/interfaces/**',
                '**/cli/**',
              ],
              message: 'src/core is pure: no I/O, frameworks or adapters (see ARCHITECTURE.md).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/core must not read the process (env, clock, argv).' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'src/core takes `now`/`today` as input.' },
      ],
    },
  },
  {
    // Bundled by the web as they are: pure, and importing nothing but the limits.
    files: ['src/core/limits.ts', 'src/core/forgiving-input.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./limits\\.js$)',
              message:
                'limits.ts and forgiving-input.ts are bundled by the web: they may import only ./limits.js.',
            },
          ],
        },
      ],
    },
  },
);
