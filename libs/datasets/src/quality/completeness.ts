import type { ColumnDescriptor } from '../catalogue/column-schema';
import { quoteIdent } from '../ingestion/vault-table';

/** One column's share of non-empty cells, as a whole percentage. */
export interface ColumnCompleteness {
  column: string;
  nonNullPercent: number;
}

/**
 * The one statement that measures a version: the row count and, per column, the count of
 * non-empty cells. Only counts come back — `count(col)` never returns a cell, so the
 * linkage key's pseudonyms stay in the vault even though its completeness is reported.
 * Columns are aliased by position (c0, c1, …): a declared name is never an alias.
 */
export function completenessSql(table: string, columns: ColumnDescriptor[]): string {
  const counts = columns.map((c, i) => `count(${quoteIdent(c.name)})::bigint AS c${i}`);
  return `SELECT ${['count(*)::bigint AS total', ...counts].join(', ')} FROM vault.${quoteIdent(table)}`;
}

/** Counts → whole percentages; an empty version is 100 % complete (no cell is missing). */
export function toCompleteness(columns: ColumnDescriptor[], row: Record<string, string | number>): ColumnCompleteness[] {
  const total = Number(row.total);
  return columns.map((c, i) => ({
    column: c.name,
    nonNullPercent: total === 0 ? 100 : Math.round((100 * Number(row[`c${i}`])) / total),
  }));
}
