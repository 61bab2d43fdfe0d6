/** `lifeline keys generate`: a new RSA key pair for writing (private) and checking (public) licenses. */
import { EXIT } from '../../core/errors.js';
import { generateKeyPair } from '../../compose/keys.js';
import { failure, type OutputOptions } from '../output.js';
import type { CliOutcome } from './license.js';

interface GenerateOptions extends OutputOptions {
  out?: string;
}

export function generateCommand(options: GenerateOptions): CliOutcome {
  if (!options.out) return failure('USAGE', 'give the directory to write the key pair to: --out DIR.');
  const pair = generateKeyPair(options.out);
  return {
    exit: EXIT.OK,
    human: [
      'Wrote a new RSA-2048 key pair:',
      `  private key: ${pair.privatePath} (mode 0600)`,
      `  public key:  ${pair.publicPath} (mode 0644, SHA-256 ${pair.publicKeyFingerprint})`,
      '',
      'Keep the private key secret: anyone who holds it can write licenses that every GitLab instance',
      'trusting the public key accepts. Do not commit, mail or share it, and keep its mode 0600;',
      'only the public key may be handed out.',
    ].join('\n'),
    json: {
      privateKeyPath: pair.privatePath,
      publicKeyPath: pair.publicPath,
      publicKeyFingerprint: pair.publicKeyFingerprint,
    },
  };
}
