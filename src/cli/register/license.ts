/** `lifeline license decode|encode` (src/cli/commands/license.ts, loaded when one runs). */
import type { Command } from 'commander';
import type { DecodeOptions, LicenseCommandDeps } from '../commands/license.js';
import { lazyAction } from '../output.js';

const load = () => import('../commands/license.js');
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerLicenseCommands(program: Command, deps: LicenseCommandDeps = {}): void {
  const license = program.command('license').description('read and write GitLab license files');

  license
    .command('decode')
    .description(
      'read a license file, check it with one or more public keys and show what it grants; ' +
        'exit 0 valid, 1 invalid, 2 usage error, 3 configuration error',
    )
    .argument('[file]', 'the license file; "-" or none reads standard input')
    .option('--public-key <pem>', 'public key PEM file to check with (repeat for several)', collect)
    .option('--today <date>', 'the date to compute expiry and grace for, YYYY-MM-DD (default: today in UTC)')
    .option('--json', 'print one JSON object')
    .action(
      lazyAction(
        load,
        (m) => (file: string | undefined, options: DecodeOptions) => m.decodeCommand(file, options, deps),
      ),
    );

  license
    .command('encode')
    .description('write a license from attributes in JSON with the gem key names (issued_at, expires_at, …)')
    .argument('<attributes>', 'JSON file with the license attributes; "-" reads standard input')
    .option('--private-key <pem>', 'RSA private key PEM file (mode 0600) to write the license with')
    .option('--boundary <name>', 'frame the license with BEGIN/END <NAME> LICENSE lines, e.g. GitLab')
    .option('--json', 'print {text, fingerprint, attributes} as JSON')
    .action(lazyAction(load, (m) => m.encodeCommand));
}
