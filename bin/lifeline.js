#!/usr/bin/env node
// Thin launcher: the CLI is compiled and bundled into dist/cli by `npm run build` (run by `npm ci`
// through `prepare`; src/tools/bundle-cli.ts says why it is bundled).
import '../dist/cli/main.js';
