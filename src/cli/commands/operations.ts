/** `migrate`, `doctor`, `audit verify`. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { redactedConfig } from '../../config.js';
import { EXIT } from '../../core/errors.js';
import { withApp } from '../context.js';
import { action } from '../output.js';

export function registerOperationCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also done on every start)')
    .option('--json', 'print one JSON object')
    .action(
      action(async () =>
        withApp(
          async (app) => {
            const { applied } = await app.store.migrate();
            return {
              exit: EXIT.OK,
              human: applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.',
              json: { applied },
            };
          },
          { migrate: false },
        ),
      ),
    );

  program
    .command('doctor')
    .description('check the configuration, keys and store, and say what is wrong in words')
    .option('--json', 'print one JSON object')
    .action(
      action(async () =>
        withApp(async (app) => {
          const checks: { name: string; ok: boolean; detail: string }[] = [];
          checks.push({ name: 'configuration', ok: true, detail: `environment ${app.config.env}` });
          checks.push({
            name: 'signing key',
            ok: !app.ports.signer.development || app.config.env !== 'production',
            detail: app.ports.signer.development
              ? 'development key: real GitLab instances will not accept its licenses'
              : 'configured private key loaded',
          });
          checks.push({
            name: 'verification keys',
            ok: true,
            detail: `${app.ports.verifier.publicKeys.length} public key(s)`,
          });
          const audit = await app.store.verifyAudit();
          checks.push({
            name: 'database',
            ok: true,
            detail: `${app.store.dialect} reachable, migrations applied`,
          });
          checks.push({
            name: 'audit trail',
            ok: audit.ok,
            detail: audit.ok
              ? `${audit.entries} entries, chain intact`
              : `broken at entry ${audit.brokenAt?.seq}: ${audit.brokenAt?.reason}`,
          });
          if (app.config.mail.transport === 'outbox') {
            const dir = `${app.config.dataDir}/outbox`;
            checks.push({
              name: 'mail',
              ok: true,
              detail: `outbox: emails are written to ${dir}${existsSync(dir) ? '' : ' (created on first email)'}`,
            });
          }
          const ok = checks.every((c) => c.ok);
          return {
            exit: ok ? EXIT.OK : EXIT.CONFIG,
            human: checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`).join('\n'),
            json: { ok, checks, config: redactedConfig(app.config) },
          };
        }),
      ),
    );

  program
    .command('audit')
    .description('the audit trail')
    .command('verify')
    .description('check the hash chain; report the first broken link')
    .option('--json', 'print one JSON object')
    .action(
      action(async () =>
        withApp(async (app) => {
          const result = await app.store.verifyAudit();
          return {
            exit: result.ok ? EXIT.OK : EXIT.REFUSED,
            human: result.ok
              ? `Audit trail intact: ${result.entries} entries.`
              : `Audit trail BROKEN at entry ${result.brokenAt?.seq}: ${result.brokenAt?.reason}.`,
            json: result,
          };
        }),
      ),
    );
}
