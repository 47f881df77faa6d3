import type { EffectivePolicy } from '../policy/policy';
import type { Plan } from '../planning/plan';
import { maxCellsPerPerson, type CompiledAggregate } from '../sql/compiler';
import { ComputationResult, compareKeys, keyLabel, RawKey, resultColumns, ResultRow, round2, roundTo } from '../disclosure/result';
import { gaussianNoise, gaussianSigma2, laplaceNoise, zcdpFromApproxDp } from './discrete-mechanisms';
import { dpQuantile } from './quantile';
import { assertWithinDomain, cellId, domainCells } from '../planning/domain';
import { Denominators, measureValue } from '../disclosure/disclosure-control';
import type { RandomSource } from './random-source';

/** A cell of the declared domain as SQL answers it under DP: true count and integer-scaled clamped sums. */
interface DomainCell {
  keys: RawKey[];
  count: number;
  scaledSums: bigint[];
}

/** How the budget of one computation is shared between its noisy statistics. */
export interface BudgetSplit {
  statistics: number;
  /** Laplace: the ε of each statistic (sequential composition, ε/K). */
  epsilonEach?: number;
  /** Gaussian: the ρ-zCDP of each statistic (zCDP composes additively, ρ/K). */
  rhoEach?: number;
}

/**
 * The noisy statistics are one count (if a count or a mean is asked), one sum per summed
 * column (shared by its sum and mean) and one per quantile; the computation's budget is
 * split equally between them. Cells are disjoint (one person, one cell), so each
 * statistic costs its share once whatever the number of cells (parallel composition).
 */
export function splitBudget(plan: Plan, compiled: CompiledAggregate): BudgetSplit {
  const needsCount = plan.measures.some((m) => m.fn === 'count' || m.fn === 'mean' || m.rate?.of === 'count');
  const statistics = (needsCount ? 1 : 0) + compiled.summed.length + compiled.quantiles.length;
  const { mechanism, epsilon, delta } = plan.privacy;
  if (mechanism === 'laplace') return { statistics, epsilonEach: epsilon / statistics };
  return { statistics, rhoEach: zcdpFromApproxDp(epsilon, delta) / statistics };
}

function noise(split: BudgetSplit, sensitivity: number, random: RandomSource): bigint {
  if (split.epsilonEach !== undefined) return laplaceNoise(split.epsilonEach, sensitivity, random);
  return gaussianNoise(gaussianSigma2(split.rhoEach!, sensitivity), random);
}

/**
 * How many persons the L bound cut (issue 13), as a controlled count: withheld (null) below
 * the minimum cell size, zero included — an exact 0 would tell that nobody has more than L
 * cells, which the noise does not cover — otherwise rounded to the nearest 10 (or the policy's rounding base
 * if coarser). It is not noised: it says how much of the data the bound left out, to the
 * same precision as the catalogue's row counts, and never which persons.
 */
export function boundedPersons(total: number, policy: EffectivePolicy): number | null {
  if (total < policy.minCellSize) return null;
  const base = Math.max(10, policy.rounding);
  return Math.round(total / base) * base;
}

/**
 * Differential privacy (API.md rule 6): every cell of the declared domain gets noise
 * calibrated to its sensitivity (count L, sum L × max(|min|,|max|) in integer units, L the
 * plan's maxCellsPerPerson), means
 * are noisy sum / noisy count, quantiles come from the exponential mechanism. Margins are
 * sums of noisy cells (post-processing, no extra budget). Rounding (rule 4) still applies;
 * suppression (rules 1–3) does not: it would decide on true values and break the guarantee.
 */
export function releaseWithPrivacy(
  plan: Plan,
  compiled: CompiledAggregate,
  rows: Record<string, unknown>[],
  histograms: Record<string, unknown>[][],
  policy: EffectivePolicy,
  random: RandomSource,
  domain: RawKey[][],
  denominators: Denominators = new Map(),
): ComputationResult {
  const split = splitBudget(plan, compiled);
  const keyOf = cellId;
  // A person in up to L cells moves up to L cells' statistics: sensitivities (and the quantiles' budget) scale with L.
  const L = maxCellsPerPerson(plan);
  const boundedTotal = rows.reduce((n, r) => n + Number(r.bp ?? 0), 0);
  const rowKeys = rows.map((r) => plan.groupBy.map((_, i) => r[`k${i}`] as RawKey));
  // Every cell of the declared domain (domain.ts), empty ones included: keys never come from the data.
  const domainKeys = domainCells(domain, false);
  assertWithinDomain(rowKeys, domainKeys);
  const byId = new Map(rows.map((r, i) => [keyOf(rowKeys[i]), { count: Number(r.n), scaledSums: compiled.summed.map((_, j) => BigInt(String(r[`s${j}`] ?? '0'))) }]));
  const cells: DomainCell[] = domainKeys.map((keys) => {
    const found = byId.get(keyOf(keys));
    return { keys, count: found?.count ?? 0, scaledSums: found?.scaledSums ?? compiled.summed.map(() => 0n) };
  });
  const needsCount = plan.measures.some((m) => m.fn === 'count' || m.fn === 'mean' || m.rate?.of === 'count');

  const noisy = cells.map((c) => ({
    keys: c.keys,
    // Clamped at 0 before margins are summed (post-processing): margins add up to the published cells.
    count: needsCount ? Math.max(0, c.count + Number(noise(split, L, random))) : 0,
    sums: compiled.summed.map((s, j) => {
      const sensitivity = L * Math.ceil(Math.max(Math.abs(s.min), Math.abs(s.max)) * s.scale);
      return Number(c.scaledSums[j] + noise(split, sensitivity, random)) / s.scale;
    }),
    quantiles: new Map<number, number>(),
  }));

  compiled.quantiles.forEach((q, j) => {
    const byCell = new Map<string, number[]>();
    for (const r of histograms[j] ?? []) {
      const key = keyOf(plan.groupBy.map((_, i) => r[`k${i}`] as RawKey));
      const h = byCell.get(key) ?? new Array<number>(q.steps + 1).fill(0);
      h[Number(r.b)] += Number(r.n);
      byCell.set(key, h);
    }
    const epsilon = (split.epsilonEach ?? Math.sqrt(2 * split.rhoEach!)) / L;
    const qv = plan.measures[q.measureIndex].q!;
    for (const cell of noisy) {
      const h = byCell.get(keyOf(cell.keys)) ?? new Array<number>(q.steps + 1).fill(0);
      cell.quantiles.set(q.measureIndex, dpQuantile(h, { min: q.min, max: q.max, steps: q.steps, q: qv, epsilon }, random));
    }
  });

  // Margins: post-processing of the noisy cells.
  const published = [...noisy];
  if (plan.totals && plan.groupBy.length > 0) {
    const d = plan.groupBy.length;
    for (let mask = 1; mask < 1 << d; mask++) {
      const margins = new Map<string, (typeof noisy)[number]>();
      for (const c of noisy) {
        const keys = c.keys.map((k, i) => ((mask >> (d - 1 - i)) & 1 ? null : k));
        const id = keyOf(keys);
        const m = margins.get(id) ?? { keys, count: 0, sums: compiled.summed.map(() => 0), quantiles: new Map() };
        m.count += c.count;
        c.sums.forEach((s, j) => (m.sums[j] += s));
        margins.set(id, m);
      }
      published.push(...margins.values());
    }
  }
  published.sort((a, b) => compareKeys(a.keys, b.keys));

  const sumIndex = (m: Plan['measures'][number]) =>
    compiled.summed.findIndex((s) => s.ref.datasetId === m.ref!.datasetId && s.ref.column === m.ref!.column);
  const rowsOut = published.map((cell): ResultRow => {
    const row = {} as ResultRow;
    plan.groupBy.forEach((g, k) => (row[g.label] = keyLabel(g, cell.keys[k])));
    const count = Math.max(0, cell.count);
    plan.measures.forEach((m, mi) => {
      if (m.fn === 'count') row[m.label] = roundTo(count, policy.rounding);
      else if (m.fn === 'quantile') row[m.label] = round2(cell.quantiles.get(mi)!);
      else if (m.fn === 'rate') row[m.label] = measureValue(m, { count, sums: cell.sums }, { sumIndex, rounding: policy.rounding, keys: cell.keys, denominator: denominators.get(mi) });
      else {
        const j = sumIndex(m);
        const s = compiled.summed[j];
        if (m.fn === 'sum') row[m.label] = roundTo(cell.sums[j], policy.rounding);
        else row[m.label] = count >= 1 ? round2(Math.min(s.max, Math.max(s.min, cell.sums[j] / count))) : null;
      }
    });
    row.suppressed = false;
    return row;
  });

  return {
    columns: resultColumns(plan),
    rows: rowsOut,
    disclosure: { minCellSize: policy.minCellSize, primarySuppressed: 0, secondarySuppressed: 0, rounding: policy.rounding, perturbation: null },
    privacy: {
      mechanism: plan.privacy.mechanism,
      epsilonSpent: plan.privacy.epsilon,
      ...(plan.privacy.mechanism === 'gaussian' ? { delta: plan.privacy.delta } : {}),
      maxCellsPerPerson: L,
      boundedPersons: boundedPersons(boundedTotal, policy),
    },
  };
}
