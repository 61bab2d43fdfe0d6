/**
 * Hot statements compiled once per shape (table, columns, number of rows) and then run with new
 * parameters only: Kysely otherwise builds and compiles every query anew (docs/performance.md).
 */
import { CompiledQuery, type QueryResult } from 'kysely';

export type StatementValues = Readonly<Record<string, unknown>>;

/** What runs a compiled query: a Kysely instance or transaction. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/**
 * Runs a statement on the connection at once, with the result Kysely's SQLite driver would give;
 * null when it must go through the executor instead. Errors are thrown as the driver throws them.
 */
export type DirectRun = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown> | null;

/**
 * Runners (a Kysely instance or a connection-bound one) whose statements may run directly, skipping
 * Kysely's executor (its connection mutex, promise layers and the lock-wait wrapper) where the store
 * says that is the same as what the executor would do: inside the commit batch that holds the
 * connection, or outside any transaction. A direct run may decline (null): the executor then runs it.
 */
const directRunners = new WeakMap<object, DirectRun>();

/** Lets the compiled statements of `runner` run directly (null: no longer). */
export function setDirectRunner(runner: QueryRunner, run: DirectRun | null): void {
  if (run) directRunners.set(runner, run);
  else directRunners.delete(runner);
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

/**
 * How a shape is learned: its builder is called once with a unique marker string in place of every
 * value, and compiled; the compiled parameters, read back, give each value's position. A shape is
 * cached only when every value became one or more parameters and no marker is in the SQL text (a
 * builder that writes a value into the SQL is always built anew). A builder must not branch on a
 * value (`is null` for null, say): what it branches on belongs in the shape's name. A call whose
 * values are not all plain (string, number, bigint, null, bytes) is built anew, so the SQL run is
 * the SQL Kysely builds for those values.
 */
export class CompiledStatements {
  private readonly templates = new Map<string, Template | null>();
  /** The value names and template last used for each shape. */
  private readonly lastByShape = new Map<string, { names: string[]; template: Template | null }>();

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
    // The value names are part of the shape: a value left out changes the SQL. The template last
    // used for `shape` is checked first, name by name (no key string to build and hash).
    const names = Object.keys(record);
    const last = this.lastByShape.get(shape);
    let template: Template | null | undefined;
    if (last !== undefined && sameNames(last.names, names)) template = last.template;
    else {
      const key = `${shape}(${names.join(',')})`;
      template = this.templates.get(key);
      if (template === undefined) {
        template = learn(record, build as unknown as (values: StatementValues) => CompiledQuery<R>);
        this.templates.set(key, template);
      }
      this.lastByShape.set(shape, { names, template });
    }
    if (template === null) return runner.executeQuery(build(values));
    // Every value is a parameter (learn checks it): all plain, or the statement is built anew.
    const parameters: unknown[] = new Array(template.names.length);
    for (let i = 0; i < template.names.length; i++) {
      const value = record[template.names[i] as string];
      if (!plain(value)) return runner.executeQuery(build(values));
      parameters[i] = value;
    }
    return this.run(runner, template.sql, parameters);
  }

  /**
   * A multi-row insert, `rows` all with the same columns in the same order (the columns are part of
   * the shape), without building one record of every value: the parameters are the rows' values in
   * row order. `build(rows)` must compile the insert of `rows`.
   */
  insertRows<R extends object>(
    runner: QueryRunner,
    shape: string,
    rows: readonly R[],
    build: (rows: readonly R[]) => CompiledQuery<unknown>,
  ): Promise<QueryResult<unknown>> {
    const first = rows[0];
    if (first === undefined) throw new Error('insertRows: no rows');
    const columns = Object.keys(first);
    const key = `${shape}×${rows.length}(${columns.join(',')})`;
    let template = this.templates.get(key);
    if (template === undefined) {
      template = learnRows(
        columns,
        rows.length,
        build as (rows: readonly StatementValues[]) => CompiledQuery<unknown>,
      );
      this.templates.set(key, template);
    }
    if (template === null) return runner.executeQuery(build(rows));
    const parameters: unknown[] = [];
    for (const row of rows) {
      if (Object.keys(row).length !== columns.length) return runner.executeQuery(build(rows));
      for (const column of columns) {
        // A column missing from this row reads undefined, which is not plain: built anew.
        const value = (row as StatementValues)[column];
        if (!plain(value)) return runner.executeQuery(build(rows));
        parameters.push(value);
      }
    }
    return this.run(runner, template.sql, parameters);
  }

  private run<R>(runner: QueryRunner, sql: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
    const direct = directRunners.get(runner);
    if (direct) {
      try {
        const result = direct(sql, parameters);
        if (result !== null) return Promise.resolve(result as QueryResult<R>);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return runner.executeQuery(CompiledQuery.raw(sql, [...parameters]) as CompiledQuery<R>);
  }

  /** The shapes learned so far, and whether each is cached (for tests). */
  get shapes(): ReadonlyMap<string, boolean> {
    return new Map([...this.templates].map(([shape, t]) => [shape, t !== null]));
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/**
 * Learns a multi-row insert: compiled with a marker for every value, its parameters must be exactly
 * the rows' values in row order, column by column (Kysely's order for rows with the same columns).
 */
function learnRows(
  columns: readonly string[],
  count: number,
  build: (rows: readonly StatementValues[]) => CompiledQuery<unknown>,
): Template | null {
  const names: string[] = [];
  const marked = Array.from({ length: count }, (_, i) =>
    Object.fromEntries(
      columns.map((column) => {
        names.push(`${i}.${column}`);
        return [column, `${MARK}${i}.${column}${END}`];
      }),
    ),
  );
  let compiled: CompiledQuery<unknown>;
  try {
    compiled = build(marked);
  } catch {
    return null;
  }
  if (compiled.sql.includes(MARK) || compiled.parameters.length !== names.length) return null;
  const inOrder = compiled.parameters.every((p, i) => p === `${MARK}${names[i] as string}${END}`);
  return inOrder ? { sql: compiled.sql, names } : null;
}
