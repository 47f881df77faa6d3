import type { EffectivePolicy } from '../policy/policy';
import type { Plan } from '../planning/plan';
import type { CompiledAggregate } from '../sql/compiler';
import { ComputationResult, compareKeys, keyLabel, RawKey, resultColumns, ResultRow, round2, roundTo, SuppressionReason } from './result';
import { secondarySuppression } from './secondary-suppression';

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
  sums: RawSum[];
}

/** Reads the rows of `compileAggregate` (without DP) into cells; `g` says which keys are margins. */
export function readRawCells(plan: Plan, compiled: CompiledAggregate, rows: Record<string, unknown>[]): RawCell[] {
  const d = plan.groupBy.length;
  return rows.map((row) => ({
    keys: plan.groupBy.map((_, i) => ((Number(row.g) >> (d - 1 - i)) & 1 ? null : (row[`k${i}`] as RawKey))),
    count: Number(row.n),
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
 * 1. minimum cell size, 2. dominance (for sums and means), 3. secondary suppression when
 * margins are published, 4. rounding of counts and sums. A suppressed cell publishes no
 * measure. A mean is the unrounded sum over the persons with a value, to 2 decimals
 * (a mean times a rounded count does not give the exact sum back). Rule 5 (differencing)
 * is decided before this runs, on populations, in SQL.
 */
export function controlDisclosure(plan: Plan, compiled: CompiledAggregate, cells: RawCell[], policy: EffectivePolicy): ComputationResult {
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

  const sumIndex = (m: Plan['measures'][number]) =>
    compiled.summed.findIndex((s) => s.ref.datasetId === m.ref!.datasetId && s.ref.column === m.ref!.column);
  const order = cells.map((_, i) => i).sort((a, b) => compareKeys(cells[a].keys, cells[b].keys));
  const rows = order.map((i): ResultRow => {
    const cell = cells[i];
    const reason = reasons[i];
    const row = {} as ResultRow;
    plan.groupBy.forEach((g, k) => (row[g.label] = keyLabel(g, cell.keys[k])));
    for (const m of plan.measures) {
      if (reason) row[m.label] = null;
      else if (m.fn === 'count') row[m.label] = roundTo(cell.count, policy.rounding);
      else {
        const s = cell.sums[sumIndex(m)];
        if (m.fn === 'sum') row[m.label] = roundTo(s.sum, policy.rounding);
        else row[m.label] = s.contributors > 0 ? round2(s.sum / s.contributors) : null;
      }
    }
    row.suppressed = reason !== null;
    if (reason) row.reason = reason;
    return row;
  });

  return {
    columns: resultColumns(plan),
    rows,
    disclosure: { minCellSize: policy.minCellSize, primarySuppressed, secondarySuppressed, rounding: policy.rounding },
    privacy: { mechanism: 'none', epsilonSpent: 0 },
  };
}
