/** The rules for translations/: LOCALE.json files; the default locale's names the app and labels every parameter. */
import { z } from 'zod';
import { VALID_LOCALE } from './manifest-schema.js';
import {
  isObject,
  issuesToProblems,
  parseJson,
  type Json,
  type PackageFiles,
  type PackageProblem,
} from './problems.js';

const SHORT_DESCRIPTION_MAX = 80;

const text = (rule: string) =>
  z.string({ error: rule }).refine((s) => s.trim() !== '', { message: rule, abort: true });

/** The default locale's file: the app's name, descriptions and a label for each of `parameterNames`. */
function translationSchema(parameterNames: readonly string[]) {
  const required = 'required: a non-empty string';
  /** A missing or malformed entry counts as one without a label. */
  const objectOrEmpty = (v: unknown): Json => (isObject(v) ? v : {});
  const label = z.preprocess(
    objectOrEmpty,
    z.object({
      label: text('required: the label shown in the app’s settings'),
      helpText: z.string({ error: 'must be a string' }).optional(),
    }),
  );
  return z.object({
    app: z.object(
      {
        name: text(required),
        short_description: z
          .string({ error: required })
          .refine((s) => s.trim() !== '', required)
          .refine((s) => s.length <= SHORT_DESCRIPTION_MAX, {
            error: (issue) =>
              `must be at most ${SHORT_DESCRIPTION_MAX} characters (has ${String(issue.input).length})`,
          }),
        long_description: text(required),
        installation_instructions: text(required),
        parameters: z.preprocess(
          objectOrEmpty,
          z.object(Object.fromEntries(parameterNames.map((name) => [name, label]))),
        ),
      },
      { error: 'required: the object with the app’s name, descriptions and parameter labels' },
    ),
  });
}

export function checkTranslations(
  files: PackageFiles,
  manifest: Json | null,
  problems: PackageProblem[],
): void {
  const locale = manifest && typeof manifest['defaultLocale'] === 'string' ? manifest['defaultLocale'] : 'en';
  const parameterNames = Array.isArray(manifest?.['parameters'])
    ? (manifest['parameters'] as unknown[])
        .filter(isObject)
        .map((p) => p['name'])
        .filter((name): name is string => typeof name === 'string' && name.trim() !== '')
    : [];
  for (const path of files.keys()) {
    const match = /^translations\/(.*)\.json$/.exec(path);
    if (!match) {
      if (path.startsWith('translations/')) {
        problems.push({ file: path, field: '(file)', rule: 'translations/ holds only LOCALE.json files' });
      }
      continue;
    }
    if (!VALID_LOCALE.test(match[1] ?? '')) {
      problems.push({ file: path, field: '(file)', rule: `"${match[1]}" is not a valid locale` });
      continue;
    }
    const json = parseJson(files, path, problems);
    if (!json || match[1] !== locale) continue;
    const issues = translationSchema(parameterNames).safeParse(json).error?.issues ?? [];
    problems.push(...issuesToProblems(path, issues));
  }
}
