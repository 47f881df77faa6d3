import type { EffectivePolicy } from '../policy/policy';
import type { Plan } from '../planning/plan';
import type { CompiledAggregate } from '../sql/compiler';
import { ComputationResult, compareKeys, keyLabel, RawKey, resultColumns, ResultRow, round2, roundTo, SuppressionReason } from './result';
import { secondarySuppression } from './secondary-suppression';
import { assertWithinDomain, cellId, domainCells } from '../planning/domain';
import { assertNever } from '../planning/measures';
import { perturbCell } from './perturbation';
import { perturbationTable } from './ptable';

/** A summed column in one cell, before any control. */
export interface RawSum {
  sum: number;
  /** Persons with a value (the mean's denominator). */
  contributors: number;
  absSum: number;
  /** The largest absolute per-person contributions, descending (dominance). */
  top: number[];
}

/** One cell of the raw aggregate table; it never leaves the worker. */
export interface RawCell {
  keys: RawKey[];
  count: number;
  /** Rows in the cell (persons may hold several): only when a mean per row asks for it. */
  rows?: number;
  sums: RawSum[];
  /** The cell key as SQL answers it: the persons' record keys summed modulo 2^32 (0 for an empty cell). */
  cellKey: number;
}

/** Reads the rows of `compileAggregate` (without DP) into cells; `g` says which keys are margins. */
export function readRawCells(plan: Plan, compiled: CompiledAggregate, rows: Record<string, unknown>[]): RawCell[] {
  const d = plan.groupBy.length;
  return rows.map((row) => ({
    keys: plan.groupBy.map((_, i) => ((Number(row.g) >> (d - 1 - i)) & 1 ? null : (row[`k${i}`] as RawKey))),
    count: Number(row.n),
    ...(compiled.rowCounted ? { rows: Number(row.nr ?? 0) } : {}),
    cellKey: Number(row.ck ?? 0),
    sums: compiled.summed.map((_, j) => ({
      sum: Number(row[`s${j}`] ?? 0),
      contributors: Number(row[`c${j}`] ?? 0),
      absSum: Number(row[`a${j}`] ?? 0),
      top: ((row[`t${j}`] as number[] | null) ?? []).map(Number),
    })),
  }));
}

/** Rule 2: the n largest contributors make more than k% of the cell's (absolute) total. */
export function isDominated(sum: RawSum, rules: { n: number; k: number }[]): boolean {
  if (sum.absSum <= 0) return false;
  return rules.some((r) => sum.top.slice(0, r.n).reduce((a, b) => a + b, 0) > (r.k / 100) * sum.absSum);
}

/**
 * Disclosure control of a result without differential privacy, in API.md's order:
 * 0. the declared domain: every cell of it, whatever the data hold (an absent cell has
 *    count 0); 1. minimum cell size (zero included); 2. dominance (for sums and means);
 * 3. cell key perturbation of counts and sums, margins included; 4. secondary
 * suppression when margins are published (decided on true counts); 5. rounding, after
 * perturbation. A suppressed cell publishes no measure and reads the same whatever its
 * true count. A mean is the released sum over the released count. Rule 6
 * (differencing) is decided before this runs, on populations, in SQL.
 */
export function controlDisclosure(
  plan: Plan,
  compiled: CompiledAggregate,
  data: RawCell[],
  policy: EffectivePolicy,
  domain: RawKey[][],
  denominators: Denominators = new Map(),
): ComputationResult {
  const margins = plan.totals && plan.groupBy.length > 0;
  const domainKeys = domainCells(domain, margins);
  assertWithinDomain(data.map((c) => c.keys), domainKeys);
  const byId = new Map(data.map((c) => [cellId(c.keys), c]));
  const cells: RawCell[] = domainKeys.map(
    (keys) => byId.get(cellId(keys)) ?? { keys, count: 0, ...(compiled.rowCounted ? { rows: 0 } : {}), cellKey: 0, sums: compiled.summed.map(() => ({ sum: 0, contributors: 0, absSum: 0, top: [] })) },
  );
  const reasons: (SuppressionReason | null)[] = cells.map((c) => {
    if (c.count < policy.minCellSize) return 'min_cell_size';
    if (c.sums.some((s) => isDominated(s, policy.dominance))) return 'dominance';
    return null;
  });
  const primarySuppressed = reasons.filter((r) => r !== null).length;
  let secondarySuppressed = 0;
  if (plan.totals && plan.groupBy.length > 0) {
    const table = cells.map((c, i) => ({ keys: c.keys, count: c.count, suppressed: reasons[i] !== null }));
    for (const i of secondarySuppression(table)) reasons[i] = 'secondary';
    secondarySuppressed = reasons.filter((r) => r === 'secondary').length;
  }
  const perturbation = plan.perturbation ?? null;
  const table = perturbation ? perturbationTable({ ...perturbation, minCellSize: policy.minCellSize }) : null;
  const sumIndex = (m: Plan['measures'][number]) =>
    compiled.summed.findIndex((s) => s.ref.datasetId === m.ref!.datasetId && s.ref.column === m.ref!.column);
  const order = cells.map((_, i) => i).sort((a, b) => compareKeys(cells[a].keys, cells[b].keys));
  const rows = order.map((i): ResultRow => {
    const cell = cells[i];
    const reason = reasons[i];
    const row = {} as ResultRow;
    plan.groupBy.forEach((g, k) => (row[g.label] = keyLabel(g, cell.keys[k])));
    const released = reason ? null : perturbCell(cell, table);
    plan.measures.forEach((m, mi) => (row[m.label] = released ? measureValue(m, released, { sumIndex, rounding: policy.rounding, keys: cell.keys, denominator: denominators.get(mi) }) : null));
    row.suppressed = reason !== null;
    if (reason) row.reason = reason;
    return row;
  });
  return {
    columns: resultColumns(plan),
    rows,
    disclosure: {
      minCellSize: policy.minCellSize,
      primarySuppressed,
      secondarySuppressed,
      rounding: policy.rounding,
      perturbation: perturbation ? { method: 'cell_key', ...perturbation } : null,
    },
    privacy: { mechanism: 'none', epsilonSpent: 0 },
  };
}

/** A rate's denominators by reference key (null: the whole reference), per measure index. */
export type Denominators = Map<number, Map<string | null, number>>;

/** Reads a rate's denominator statement. */
export function readDenominators(rows: Record<string, unknown>[]): Map<string | null, number> {
  return new Map(rows.map((r) => [r.k === null || r.k === undefined ? null : String(r.k), Number(r.p)]));
}

/**
 * The measure registry's publication side: a measure of an unsuppressed cell from its
 * released count and sums (perturbed under rule 3, noisy under DP). A rate is derived
 * from the published (rounded) numerator over the cell's denominator, so it says no more
 * than the numerator does.
 */
export function measureValue(
  m: Plan['measures'][number],
  cell: { count: number; rows?: number; sums: number[] },
  ctx: { sumIndex: (m: Plan['measures'][number]) => number; rounding: number; keys: RawKey[]; denominator?: Map<string | null, number> },
): number | null {
  const fn = m.fn;
  switch (fn) {
    case 'count':
      return roundTo(cell.count, ctx.rounding);
    case 'sum':
      return roundTo(cell.sums[ctx.sumIndex(m)], ctx.rounding);
    case 'mean':
      return cell.count > 0 ? round2(cell.sums[ctx.sumIndex(m)] / cell.count) : null;
    case 'meanPerRow':
      return cell.rows !== undefined && cell.rows > 0 ? round2(cell.sums[ctx.sumIndex(m)] / cell.rows) : null;
    case 'rate': {
      const r = m.rate!;
      const numerator = roundTo(r.of === 'count' ? cell.count : cell.sums[ctx.sumIndex(m)], ctx.rounding);
      const key = r.groupIndex < 0 ? null : ctx.keys[r.groupIndex];
      const denominator = ctx.denominator?.get(key === null ? null : String(key));
      return denominator && denominator > 0 ? round2((numerator / denominator) * r.scale) : null;
    }
    case 'quantile':
      throw new Error('quantiles are released only under differential privacy');
    default:
      return assertNever(fn);
  }
}
