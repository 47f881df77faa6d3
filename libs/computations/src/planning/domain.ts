import { ErrorCodeOf, PolicyViolation } from '@cadre/common';
import type { RawKey } from '../disclosure/result';
import type { CatalogueDataset } from '../policy/policy';
import type { ResolvedColumn } from './catalogue-view';
import type { ColumnRef, Plan, PlannedGroup, PlannedJoin } from './plan';

/**
 * THE declared domain of a result (API.md rule 0), one definition for the exact and the
 * differentially private paths: the rows of a result are every combination of the
 * declared values of its group-by columns, whatever the data hold —
 * - bins: the query's bins (keys 1..n, the 1-based bin index);
 * - a category column: its declared categories;
 * - a boolean: false, true;
 * - an integer column with declared bounds: every integer from min to max;
 * - a reference key, or a person column joined to one: the reference dataset's keys
 *   (public open data, read from its current version when the job runs).
 * Anything else (free text, an integer without bounds) has no declared domain and is refused.
 */

/** Platform default of the cap on result cells (CADRE_MAX_RESULT_CELLS). */
export const DEFAULT_MAX_RESULT_CELLS = 10_000;

function refuse(code: ErrorCodeOf<'policy'>, field: string, detail: string): never {
  throw new PolicyViolation(code, detail, [{ field, message: detail }]);
}

const sameRef = (a: ColumnRef, b: ColumnRef) => a.datasetId === b.datasetId && a.column === b.column;

/** The domain of one group-by column, or a 422 when it has none (or one too large to list). */
export function groupDomain(col: ResolvedColumn, bins: number[] | undefined, joins: PlannedJoin[], field: string, maxCells: number): Pick<PlannedGroup, 'bins' | 'categories' | 'reference'> {
  if (bins) return { bins: [...bins] };
  const { type, role, categories, min, max } = col.column;
  // Declared categories first: a joined category column keeps its own declared domain.
  if (type === 'category' && categories?.length) return { categories: [...categories] };
  const joined = joins.find((j) => sameRef(j.right, col.ref) || sameRef(j.left, col.ref));
  if (role === 'reference_key' || joined) {
    if (!joined) refuse('group_by_requires_domain', field, 'a reference key is grouped on only when its dataset is joined');
    return { reference: joined.right };
  }
  if (type === 'boolean') return { categories: ['false', 'true'] };
  if (type === 'integer' && min !== undefined && max !== undefined && Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max) {
    if (max - min + 1 > maxCells) refuse('too_many_cells', field, `the declared domain has more than ${maxCells} cells`);
    return { categories: Array.from({ length: max - min + 1 }, (_, i) => String(min + i)) };
  }
  return refuse('group_by_requires_domain', field, 'a group-by column needs a declared domain: categories, bins, integer bounds, a boolean or a reference key');
}

/** The number of values of a group's domain; a reference domain is bounded by its dataset's row count. */
export function groupSize(g: PlannedGroup, catalogue: CatalogueDataset[]): number {
  if (g.bins) return g.bins.length - 1;
  if (g.categories) return g.categories.length;
  const ref = catalogue.find((d) => d.id === g.reference!.datasetId);
  return ref?.current?.rowCount ?? 0;
}

/**
 * The number of published rows: detail cells, plus every margin when totals are asked
 * (∏ (size + 1)). This is what the cap bounds: the rows a result can hold.
 */
export function resultRowCount(groups: PlannedGroup[], totals: boolean, catalogue: CatalogueDataset[]): number {
  return groups.reduce((n, g) => n * (groupSize(g, catalogue) + (totals ? 1 : 0)), 1);
}

/** The values of each group's domain, as the aggregate's keys spell them; reference keys come from the job. */
export function domainValues(plan: Pick<Plan, 'groupBy'>, referenceKeys: Map<number, string[]>): RawKey[][] {
  return plan.groupBy.map((g, i) => {
    if (g.bins) return Array.from({ length: g.bins.length - 1 }, (_, b) => b + 1);
    if (g.categories) return [...g.categories];
    const keys = referenceKeys.get(i);
    if (!keys) throw new Error('the reference keys of a group were not read');
    return keys;
  });
}

/**
 * Every cell of the declared domain, margins (null keys) included when `totals`:
 * the rows of the result before any control, in no particular order.
 */
export function domainCells(values: RawKey[][], totals: boolean): RawKey[][] {
  let cells: RawKey[][] = [[]];
  for (const dim of values) {
    const options = totals ? [...dim, null] : dim;
    cells = cells.flatMap((prefix) => options.map((v) => [...prefix, v]));
  }
  return cells;
}

/**
 * Rule 0 fails closed: the aggregate's answer may only hold cells of the declared domain
 * (`cells`, as domainCells lists them, margins included when published). A cell outside it
 * means the data hold a value the domain does not know: the computation fails (the message
 * names no value) rather than dropping the cell while a margin still counts it.
 */
export function assertWithinDomain(dataKeys: RawKey[][], cells: RawKey[][]): void {
  const known = new Set(cells.map(cellId));
  if (dataKeys.some((keys) => !known.has(cellId(keys)))) throw new Error('the aggregate answered a cell outside the declared domain');
}

/** A map key for a cell's keys: bins compare as numbers, values as text. */
export function cellId(keys: RawKey[]): string {
  return JSON.stringify(keys.map((k) => (k === null ? null : String(k))));
}
