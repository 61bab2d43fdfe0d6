/** `lifeline keys generate` (src/cli/commands/keys.ts, loaded when it runs). */
import type { Command } from 'commander';
import { lazyAction } from '../output.js';

const load = () => import('../commands/keys.js');

export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('manage the RSA keys licenses are written and checked with');
  keys
    .command('generate')
    .description(
      'write a new RSA-2048 key pair: DIR/private.pem (mode 0600) and DIR/public.pem; never overwrites',
    )
    .option('--out <dir>', 'directory for the key pair (created with mode 0700 when missing)')
    .option('--json', 'print the paths as JSON')
    .action(lazyAction(load, (m) => m.generateCommand));
}
