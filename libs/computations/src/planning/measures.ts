import type { MeasureFn } from '../query/computation-query.dto';

/**
 * The measure registry: the planned measure kinds. A query's `{"fn":"mean","per":"row"}`
 * plans as `meanPerRow` (issue 13): the released sum over the released (perturbed) count of
 * rows in the cell, where `mean` averages per person (each person's total in the cell).
 * Every switch over a kind is exhaustive (assertNever): a kind added here fails to compile
 * wherever it is not handled (planner, compiler, disclosure control, DP release).
 */
export type PlannedFn = MeasureFn | 'meanPerRow';

/** Whether a planned measure needs the count of rows in each cell (a mean per row). */
export function needsRowCount(fns: { fn: PlannedFn }[]): boolean {
  return fns.some((m) => m.fn === 'meanPerRow');
}

/** Exhaustive switches: a measure kind (or any union) forgotten in a branch fails to compile here. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
