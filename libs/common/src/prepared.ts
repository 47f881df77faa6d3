import { createHash } from 'node:crypto';
import type { SqlRunner } from './returning';
import { returningRows } from './returning';

/**
 * A statement of the hot path (each computation runs it once or more), sent as a named
 * prepared statement: PostgreSQL parses it once per connection and, after five runs with
 * a plan that does not depend on the values, plans it once, instead of parsing and
 * planning it at every call (measured: the membership standing read ran 2.5× as often a
 * second prepared as unnamed). Only fixed texts: a text with a variable number of
 * placeholders would prepare a statement per arity on every pooled connection.
 *
 * An array parameter goes through a sub-select, `= ANY((SELECT $1::uuid[])::uuid[])`: its
 * length is then unknown to every plan alike, so after five runs PostgreSQL keeps the generic
 * plan. Written `= ANY($1::uuid[])`, each run's custom plan sees the literal array, looks
 * cheaper than the generic one and is planned again every time (measured: the membership
 * standing read spent 0.7 ms planning per computation that way, 8 times its execution).
 */
export interface PreparedSql {
  /** Derived from the text, so one text always has one name and two texts never share one. */
  readonly name: string;
  readonly text: string;
}

export function prepared(text: string): PreparedSql {
  return { name: `cadre_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}

/**
 * Runs a prepared statement through TypeORM (a DataSource, an EntityManager in or out of a
 * transaction, a QueryRunner) and answers what TypeORM answers for that command. TypeORM's
 * postgres driver hands its first argument to node-postgres's `query`, which takes a
 * `{ name, text }` config as well as a string: the cast is that, in this one place.
 */
export function runPrepared(runner: SqlRunner, statement: PreparedSql, parameters: unknown[]): Promise<unknown> {
  return runner.query(statement as unknown as string, parameters);
}

/** The rows a prepared statement answered, whatever its command (see returningRows). */
export async function preparedRows<T>(runner: SqlRunner, statement: PreparedSql, parameters: unknown[]): Promise<T[]> {
  return returningRows<T>(await runPrepared(runner, statement, parameters));
}
