import type { Pool, PoolClient } from 'pg';
import { isTransientError } from '@cadre/common';
import type { CompiledStatement } from './compiler';

/**
 * Runs compiled statements as the compute role, in one READ ONLY, REPEATABLE READ
 * transaction (every statement sees the same snapshot) with a statement timeout. The
 * caller gets rows of aggregates only; a driver error is rethrown without its message,
 * which could quote a value.
 */
export async function runReadOnly(pool: Pool, statements: CompiledStatement[], statementTimeoutMs: number): Promise<Record<string, unknown>[][]> {
  const client: PoolClient = await pool.connect();
  let broken = false;
  try {
    // JIT compilation of these aggregates costs more than it saves (measured on 2 × 1M joined
    // rows: ~1 s of compile time across the parallel workers, the query ~20 % slower with it).
    await client.query(
      `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(statementTimeoutMs))}; SET LOCAL jit = off`,
    );
    const results: Record<string, unknown>[][] = [];
    for (const s of statements) results.push((await client.query(s.sql, s.params)).rows);
    await client.query('COMMIT');
    return results;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (broken = true));
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
