import { CELL_KEY_MODULUS } from '../sql/compiler';
import type { RawCell } from './disclosure-control';
import { lookupDeviation, PTable } from './ptable';

/** A 32-bit mixing function (murmur3's finaliser): decorrelates the uniforms a cell key drives. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The stream of a cell's row count: far above any summed column's (j + 1). */
export const ROWS_STREAM = 1 << 16;

/**
 * The uniform in [0,1) that drives statistic `stream` of a cell: stream 0 (the count) is
 * the cell key itself, ck / 2^32; stream j + 1 (the j-th summed column) is the cell key
 * mixed with j, so a cell's sums do not move with its count.
 */
export function cellUniform(cellKey: number, stream: number): number {
  const ck = Math.floor(cellKey) % CELL_KEY_MODULUS;
  if (stream === 0) return ck / CELL_KEY_MODULUS;
  return mix32((ck ^ Math.imul(stream, 0x9e3779b9)) >>> 0) / CELL_KEY_MODULUS;
}

/**
 * Rule 3 on one unsuppressed cell: the released count is the count plus the p-table's
 * deviation at (cell key, count) — never below minCellSize, at most maxDeviation away;
 * each released sum is the sum plus a deviation drawn from the p-table's last row (the
 * symmetric, unbiased one) at the cell's mixed key, times the cell's largest absolute
 * person contribution: |released − true| ≤ maxDeviation × largest contribution. The same
 * persons give the same cell key, so the same released values (repeating gains nothing).
 * Without a table (under DP), the true values.
 */
export function perturbCell(cell: RawCell, table: PTable | null): { count: number; rows?: number; sums: number[] } {
  const rowsOf = (rows: number) => (cell.rows === undefined ? {} : { rows });
  if (!table) return { count: cell.count, ...rowsOf(cell.rows ?? 0), sums: cell.sums.map((s) => s.sum) };
  const count = cell.count + lookupDeviation(table, cellUniform(cell.cellKey, 0), cell.count);
  // The rows of a cell (a mean per row's denominator) like its count, from its own stream of the cell key.
  const rows = cell.rows === undefined ? undefined : cell.rows + lookupDeviation(table, cellUniform(cell.cellKey, ROWS_STREAM), cell.rows);
  const sums = cell.sums.map((s, j) => {
    const largest = s.top[0] ?? 0;
    const deviation = lookupDeviation(table, cellUniform(cell.cellKey, j + 1), Number.MAX_SAFE_INTEGER);
    return s.sum + deviation * largest;
  });
  return { count, ...(rows === undefined ? {} : { rows }), sums };
}
