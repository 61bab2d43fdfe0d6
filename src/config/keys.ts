/** Keys: the signing key and the keys previous licenses are verified with. */
import { z } from 'zod';
import { inlinePem, list, spec, type RuleContext, type ValuesOf } from './fields.js';

export type SigningKeyConfig =
  | { kind: 'file'; path: string }
  /** `pem` is secret. */
  | { kind: 'inline'; pem: string }
  /** No key configured: a development key pair is generated in `$LIFELINE_DATA_DIR/keys`. */
  | { kind: 'development' };

export interface KeysConfig {
  signingKey: SigningKeyConfig;
  /** Public key files for decoding previous licenses; empty means "the signing key's public key". */
  verifyKeyFiles: string[];
}

export const KEYS = {
  LIFELINE_SIGNING_KEY_FILE: spec({
    group: 'keys',
    default: 'a development key generated in $LIFELINE_DATA_DIR/keys',
    secret: false,
    description:
      'PEM file of the RSA private key that signs licenses; refused if group- or world-readable (chmod 600). Set this or LIFELINE_SIGNING_KEY, not both. Required in production.',
    schema: z.string().optional(),
  }),
  LIFELINE_SIGNING_KEY: spec({
    group: 'keys',
    default: null,
    secret: true,
    description:
      'The RSA private key itself, as PEM (real newlines, or \\n escapes on one line), for secret stores that inject environment variables. Set this or LIFELINE_SIGNING_KEY_FILE, not both.',
    schema: inlinePem.optional(),
  }),
  LIFELINE_VERIFY_KEY_FILES: spec({
    group: 'keys',
    default: "the signing key's public key",
    secret: false,
    description:
      'Comma-separated PEM public key files that customers’ previous licenses are decoded with (e.g. the licensing team’s production key).',
    schema: z
      .string()
      .transform(list)
      .default(() => []),
    echo: false,
  }),
};

export function keysRules(_v: Partial<ValuesOf<typeof KEYS>>, r: RuleContext<keyof typeof KEYS>): void {
  if (!r.missing('LIFELINE_SIGNING_KEY_FILE') && !r.missing('LIFELINE_SIGNING_KEY')) {
    r.problem(
      'LIFELINE_SIGNING_KEY',
      'set either LIFELINE_SIGNING_KEY_FILE or LIFELINE_SIGNING_KEY, not both',
    );
  }
  if (r.production && r.missing('LIFELINE_SIGNING_KEY_FILE') && r.missing('LIFELINE_SIGNING_KEY')) {
    r.problem(
      'LIFELINE_SIGNING_KEY_FILE',
      'required in production (or LIFELINE_SIGNING_KEY): a development key is not accepted by real GitLab instances',
    );
  }
}

export function keysConfig(v: ValuesOf<typeof KEYS>): KeysConfig {
  return {
    signingKey:
      v.LIFELINE_SIGNING_KEY_FILE !== undefined
        ? { kind: 'file', path: v.LIFELINE_SIGNING_KEY_FILE }
        : v.LIFELINE_SIGNING_KEY !== undefined
          ? { kind: 'inline', pem: v.LIFELINE_SIGNING_KEY }
          : { kind: 'development' },
    verifyKeyFiles: v.LIFELINE_VERIFY_KEY_FILES,
  };
}
