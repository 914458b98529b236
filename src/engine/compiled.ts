/**
 * Kysely builds and compiles a query tree on every execution. For the statements of the hottest
 * path (opening a ticket) that costs about as much client CPU as the rest of the call (100-300 µs
 * for the guild statement alone, measured here), so they are compiled once per shape and their SQL
 * reused with each call's values.
 *
 * How: the query is built once with a unique marker in place of every value that varies; compiling
 * it shows where each marker landed among the parameters. Later calls only put their values in
 * those places. Kysely offers no parameterized prepared queries, hence this small helper; it stays
 * safe by refusing a query where a marker did not become a bound parameter (a value inlined into the
 * SQL text), and the shape key names everything that changes the SQL's form.
 */
import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';

/** What runs a compiled query: a Kysely instance or transaction. */
export interface RunsQueries { executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>> }

const MARK = '\u0000tb-param:';

export type Param = (name: string) => string;

interface Plan { sql: string; slots: Array<{ name: string } | { value: unknown }> }

export class CompiledStatements {
  private readonly plans = new Map<string, Plan>();

  /**
   * Runs the query `build` makes, compiled once per `shape`. `build` must use `p(name)` for every
   * value that differs between calls, and `values[name]` is that value for this call.
   */
  async execute<R>(db: RunsQueries, shape: string, build: (p: Param) => Compilable<R>, values: Readonly<Record<string, unknown>>): Promise<R[]> {
    let plan = this.plans.get(shape);
    if (!plan) {
      plan = planOf(build);
      this.plans.set(shape, plan);
    }
    const parameters = plan.slots.map((s) => ('name' in s ? valueOf(values, s.name) : s.value));
    const result = await db.executeQuery<R>(CompiledQuery.raw(plan.sql, parameters) as CompiledQuery<R>);
    return result.rows;
  }
}

function planOf<R>(build: (p: Param) => Compilable<R>): Plan {
  const used = new Set<string>();
  const compiled = build((name) => { used.add(name); return `${MARK}${name}`; }).compile();
  const seen = new Set<string>();
  const slots = compiled.parameters.map((value) => {
    if (typeof value === 'string' && value.startsWith(MARK)) {
      const name = value.slice(MARK.length);
      seen.add(name);
      return { name };
    }
    return { value };
  });
  for (const name of used) {
    if (!seen.has(name)) throw new Error(`compiled statement: parameter ${name} is not a bound parameter`);
  }
  if (compiled.sql.includes(MARK)) throw new Error('compiled statement: a parameter was inlined into the SQL');
  return { sql: compiled.sql, slots };
}

function valueOf(values: Readonly<Record<string, unknown>>, name: string): unknown {
  if (!(name in values)) throw new Error(`compiled statement: no value for ${name}`);
  return values[name];
}

/** Markers for every key of a row, prefixed: `{ a: p('x.a'), … }`, with the row's keys in the shape. */
export function markRow<T extends Record<string, unknown>>(p: Param, prefix: string, row: T): { [K in keyof T]: T[K] } {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) out[key] = p(`${prefix}.${key}`);
  return out as { [K in keyof T]: T[K] };
}

/** The values for `markRow`'s markers, and the key list that belongs in the shape. */
export function rowValues(prefix: string, row: Record<string, unknown>, into: Record<string, unknown>): string {
  for (const [key, value] of Object.entries(row)) into[`${prefix}.${key}`] = value;
  return Object.keys(row).join(',');
}
