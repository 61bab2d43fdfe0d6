/** docs/configuration.md is generated from the configuration schema and cannot drift from it. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { configDocsMarkdown, generatedConfigDocs } from '../../src/tools/gen-config-docs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('docs/configuration.md', () => {
  it('is exactly what src/tools/gen-config-docs.ts generates (run npm run docs:config after changing config.ts)', async () => {
    const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(await generatedConfigDocs(ROOT));
  });

  it('names every variable once, with its default and whether it is secret', () => {
    const text = configDocsMarkdown();
    for (const v of CONFIG_VARIABLES) {
      const rows = text.split('\n').filter((l) => l.startsWith(`| \`${v.name}\` |`));
      expect(rows, v.name).toHaveLength(1);
      expect(rows[0]!.includes('| yes |'), v.name).toBe(v.secret);
    }
  });

  it('changes when the schema changes (the check can fail)', () => {
    const changed = CONFIG_VARIABLES.map((v) => (v.name === 'PORT' ? { ...v, default: '8080' } : v));
    expect(configDocsMarkdown(changed)).not.toBe(configDocsMarkdown());
    expect(configDocsMarkdown(changed)).toContain('| `PORT` | `8080` |');
  });
});
