/**
 * The optional configuration file: dotenv-style `KEY=VALUE` lines that may set the same keys as the
 * environment (PRODUCT.md §9). Parsing is pure (`parseConfigText`); `readConfigFile` adds the read.
 *
 * The format, deliberately small:
 * - blank lines and lines starting with `#` are ignored; an optional `export ` prefix is allowed;
 * - `KEY=VALUE`, whitespace around the key, `=` and an unquoted value is ignored;
 * - an unquoted value ends at ` #` (an inline comment); a `#` with no space before it is kept
 *   (`SLACK_CHANNEL=#support` is a channel, not a comment);
 * - `"double quoted"` values understand `\n`, `\r`, `\t`, `\"` and `\\` and may span lines (a PEM);
 *   `'single quoted'` values are taken literally and may span lines too;
 * - a key set twice is a problem (which line would win is a guess nobody should have to make).
 *
 * Problems name the line, never its text: a broken line may be part of a secret.
 */
import { readFileSync } from 'node:fs';

export interface ConfigFileContents {
  values: Record<string, string>;
  /** Human-readable problems, one per broken line (already prefixed with "line N:"). */
  problems: string[];
}

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/s;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

export function parseConfigText(text: string): ConfigFileContents {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const values: Record<string, string> = {};
  const firstLine = new Map<string, number>();
  const problems: string[] = [];

  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const line = (lines[i] ?? '').trimStart(); // keep trailing spaces inside a quoted value
    if (line === '' || line.startsWith('#')) continue;

    const match = ASSIGNMENT.exec(line);
    if (!match) {
      problems.push(`line ${lineNumber}: expected KEY=VALUE`);
      continue;
    }
    const key = match[1] ?? '';
    const rest = match[2] ?? '';
    let value: string;

    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // Gather lines until the closing quote (values may span lines).
      let body = rest.slice(1);
      let closed = findClosingQuote(body, quote);
      while (closed < 0 && i + 1 < lines.length) {
        i++;
        body += '\n' + (lines[i] ?? '');
        closed = findClosingQuote(body, quote);
      }
      if (closed < 0) {
        problems.push(`line ${lineNumber}: the quoted value of ${key} is never closed`);
        break;
      }
      const after = body.slice(closed + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        problems.push(`line ${lineNumber}: unexpected text after the closing quote of ${key}`);
        continue;
      }
      const raw = body.slice(0, closed);
      value = quote === '"' ? raw.replace(/\\(.)/gs, (all, c: string) => ESCAPES[c] ?? all) : raw;
    } else {
      value = rest.replace(/\s+#.*$/s, '').trim();
    }

    const previous = firstLine.get(key);
    if (previous !== undefined) {
      problems.push(`line ${lineNumber}: ${key} is already set on line ${previous}`);
      continue;
    }
    firstLine.set(key, lineNumber);
    values[key] = value;
  }
  return { values, problems };
}

/** Index of the unescaped closing quote in `body` (escapes count only inside double quotes), or -1. */
function findClosingQuote(body: string, quote: '"' | "'"): number {
  for (let j = 0; j < body.length; j++) {
    const c = body[j];
    if (quote === '"' && c === '\\') {
      j++;
      continue;
    }
    if (c === quote) return j;
  }
  return -1;
}

/** Reads and parses the file at `path`; a file that cannot be read is a problem, not an exception. */
export function readConfigFile(path: string): ConfigFileContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (code ?? 'unreadable');
    return { values: {}, problems: [`cannot read ${path}: ${why}`] };
  }
  const parsed = parseConfigText(text);
  return { values: parsed.values, problems: parsed.problems.map((p) => `${path} ${p}`) };
}
