import type { Pool, PoolClient } from 'pg';
import { isTransientError } from '@cadre/common';
import type { CompiledStatement } from './compiler';

/** The statement timeout (ms) a pooled compute session was last given: a session keeps its settings across uses. */
const sessionTimeout = new WeakMap<PoolClient, number>();

/**
 * Makes a compute session read-only, time-limited and without JIT, once per connection
 * (and again when the timeout asked for changes): each computation then sends its
 * statement alone. JIT compilation of these aggregates costs more than it saves (measured
 * on 2 × 1M joined rows: ~1 s of compile time across the parallel workers, the query ~20 %
 * slower with it).
 */
async function readOnlySession(client: PoolClient, statementTimeoutMs: number): Promise<void> {
  const timeout = Math.max(1, Math.floor(statementTimeoutMs));
  if (sessionTimeout.get(client) === timeout) return;
  await client.query(`SET default_transaction_read_only = on; SET statement_timeout = ${timeout}; SET jit = off`);
  sessionTimeout.set(client, timeout);
}

/**
 * Runs compiled statements as the compute role, read-only and under a statement timeout;
 * several statements run in one REPEATABLE READ transaction (every one sees the same
 * snapshot), a single one alone (one round trip). The caller gets rows of aggregates only;
 * a driver error is rethrown without its message, which could quote a value. The pool's
 * sessions are left read-only: give it the compute role's pool only.
 */
export async function runReadOnly(pool: Pool, statements: CompiledStatement[], statementTimeoutMs: number): Promise<Record<string, unknown>[][]> {
  const client: PoolClient = await pool.connect();
  const several = statements.length > 1;
  let broken = false;
  try {
    await readOnlySession(client, statementTimeoutMs);
    if (several) await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const results: Record<string, unknown>[][] = [];
    for (const s of statements) results.push((await client.query(s.sql, s.params)).rows);
    if (several) await client.query('COMMIT');
    return results;
  } catch (err) {
    if (several) await client.query('ROLLBACK').catch(() => (broken = true));
    else broken = isTransientError(err); // a lost connection goes, a refused query leaves it sound
    throw new VaultQueryFailed((err as { code?: string }).code, isTransientError(err));
  } finally {
    client.release(broken);
  }
}

/** A vault query failed; carries the SQLSTATE only (57014: timeout). */
export class VaultQueryFailed extends Error {
  /** `transient`: the connection was lost or refused (retried), not an error of the query (failed). */
  constructor(
    readonly sqlState: string | undefined,
    readonly transient = false,
  ) {
    super(sqlState === '57014' ? 'the computation exceeded its time limit' : `the computation failed in the database (${sqlState ?? 'unknown'})`);
    this.name = 'VaultQueryFailed';
  }
}
