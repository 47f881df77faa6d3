/** Anything that runs raw SQL the TypeORM way: a DataSource, an EntityManager or a QueryRunner. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * The rows a raw statement answered, whatever its command. TypeORM's postgres driver answers
 * `[rows, rowCount]` for a top-level UPDATE or DELETE (RETURNING or not) and `rows` for anything
 * else (SELECT, INSERT … RETURNING, a WITH … SELECT). Rows are objects, never arrays, so the
 * pair is told apart without guessing.
 */
export function returningRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}

/** Runs `UPDATE|DELETE|INSERT … RETURNING …` (or any statement) and answers its rows. */
export async function queryReturning<T>(runner: SqlRunner, sql: string, parameters?: unknown[]): Promise<T[]> {
  return returningRows<T>(await runner.query(sql, parameters));
}
