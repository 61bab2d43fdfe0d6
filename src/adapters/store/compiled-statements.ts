/**
 * Hot statements compiled once per shape. Kysely builds an operation tree and compiles it to SQL for
 * every query; on the issue path that took about a third of the database time of the event loop
 * (bench http profile). The statements run on every issue are compiled here once for each shape
 * (table, columns, number of rows) and then run with new parameters only.
 *
 * How a shape is learned: its builder is called once with a unique marker string in place of every
 * value, and compiled; the compiled parameters, read back, give each value's position. A shape is
 * cached only when every value became one or more parameters and no marker is in the SQL text (a
 * builder that writes a value into the SQL is always built anew). A builder must not branch on a
 * value (`is null` for null, say): what it branches on belongs in the shape's name. A call whose
 * values are not all plain (string, number, bigint, null, bytes) is built anew, so the SQL run is
 * the SQL Kysely builds for those values.
 */
import { CompiledQuery, type QueryResult } from 'kysely';

export type StatementValues = Readonly<Record<string, unknown>>;

/** What runs a compiled query: a Kysely instance or transaction. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

interface Template {
  sql: string;
  /** The value name of each parameter, in order. */
  names: string[];
}

const MARK = '\u0001lifeline-value:';
const END = '\u0001';

const plain = (v: unknown): boolean =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'number' ||
  typeof v === 'bigint' ||
  v instanceof Uint8Array;

export class CompiledStatements {
  private readonly templates = new Map<string, Template | null>();

  /**
   * Runs the statement `build(values)` compiles to, through `runner`. `shape` names everything the
   * SQL text depends on besides the values and their names (e.g. "deliveries×4"); the same shape
   * must always build the same SQL. (To learn a shape, `build` is given marker strings as values.)
   */
  execute<V extends object, R>(
    runner: QueryRunner,
    shape: string,
    values: V,
    build: (values: V) => CompiledQuery<R>,
  ): Promise<QueryResult<R>> {
    const record = values as StatementValues;
    // The value names are part of the shape: a value left out changes the SQL.
    const key = `${shape}(${Object.keys(record).join(',')})`;
    let template = this.templates.get(key);
    if (template === undefined) {
      template = learn(record, build as unknown as (values: StatementValues) => CompiledQuery<R>);
      this.templates.set(key, template);
    }
    if (template === null || !Object.values(record).every(plain)) return runner.executeQuery(build(values));
    const parameters = template.names.map((name) => record[name]);
    return runner.executeQuery(CompiledQuery.raw(template.sql, parameters) as CompiledQuery<R>);
  }

  /** The shapes learned so far, and whether each is cached (for tests). */
  get shapes(): ReadonlyMap<string, boolean> {
    return new Map([...this.templates].map(([shape, t]) => [shape, t !== null]));
  }
}

function learn<R>(
  values: StatementValues,
  build: (values: StatementValues) => CompiledQuery<R>,
): Template | null {
  const names = Object.keys(values);
  const marked = Object.fromEntries(names.map((name) => [name, `${MARK}${name}${END}`]));
  let compiled: CompiledQuery<R>;
  try {
    compiled = build(marked);
  } catch {
    return null;
  }
  if (compiled.sql.includes(MARK)) return null;
  const order: string[] = [];
  for (const p of compiled.parameters) {
    if (typeof p !== 'string' || !p.startsWith(MARK) || !p.endsWith(END)) return null;
    const name = p.slice(MARK.length, -END.length);
    if (!names.includes(name)) return null;
    order.push(name);
  }
  if (!names.every((name) => order.includes(name))) return null;
  return { sql: compiled.sql, names: order };
}
