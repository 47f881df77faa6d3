/**
 * The perturbation table (p-table) of the cell key method (API.md rule 3), built like
 * sdcTools' `ptable`: for each original count n, a maximum-entropy distribution over the
 * integer deviations d in [lo, D] with mean 0 and variance V, where lo = max(−D, m − n)
 * and m = minCellSize, so no released count falls below m. Where mean 0 and variance V
 * cannot both hold on [lo, D] (at and just above the threshold: only upward deviations
 * remain), the mean condition is dropped and E[d²] = V is kept: the table perturbs upward
 * only there. Counts under m are suppressed before perturbation (deviation 0, listed for
 * completeness). Every count from m + D on shares the last distribution.
 */
export interface PTableParams {
  maxDeviation: number;
  variance: number;
  minCellSize: number;
}

export interface PTableRow {
  count: number;
  deviations: { deviation: number; probability: number }[];
}

export interface PTable extends PTableParams {
  method: 'cell_key';
  /** counts 0..N; the last row applies to every larger count. */
  counts: PTableRow[];
}

/** The platform's default perturbation: maximum deviation 2, variance 1 (ABS TableBuilder-like, small tables). */
export const PLATFORM_PERTURBATION = { maxDeviation: 2, variance: 1 } as const;
export const MAX_PTABLE_DEVIATION = 20;

/** Why a parameter set is unusable (null when it is fine). */
export function ptableParamsProblem(p: PTableParams): string | null {
  if (!Number.isInteger(p.maxDeviation) || p.maxDeviation < 1 || p.maxDeviation > MAX_PTABLE_DEVIATION) return `maxDeviation must be an integer from 1 to ${MAX_PTABLE_DEVIATION}`;
  if (!Number.isFinite(p.variance) || p.variance <= 0 || p.variance >= p.maxDeviation ** 2) return 'variance must be above 0 and below maxDeviation²';
  if (!Number.isInteger(p.minCellSize) || p.minCellSize < 1 || p.minCellSize > 1000) return 'minCellSize must be an integer from 1 to 1000';
  return null;
}

/**
 * Maximum entropy on the integers `support` under moment conditions E[f_i(d)] = t_i:
 * p(d) ∝ exp(Σ λ_i f_i(d)), λ found by Newton's method on the (convex) dual.
 */
function maxEntropy(support: number[], features: ((d: number) => number)[], targets: number[]): number[] {
  const k = features.length;
  const f = support.map((d) => features.map((g) => g(d)));
  let lambda = new Array<number>(k).fill(0);
  const distribution = (l: number[]) => {
    const logits = f.map((row) => row.reduce((a, v, i) => a + v * l[i], 0));
    const top = Math.max(...logits);
    const w = logits.map((x) => Math.exp(x - top));
    const z = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / z);
  };
  for (let iter = 0; iter < 200; iter++) {
    const p = distribution(lambda);
    const mean = targets.map((_, i) => p.reduce((a, pj, j) => a + pj * f[j][i], 0));
    const grad = mean.map((m, i) => m - targets[i]);
    if (Math.max(...grad.map(Math.abs)) < 1e-12) break;
    const h = targets.map((_, a) => targets.map((__, b) => p.reduce((s, pj, j) => s + pj * (f[j][a] - mean[a]) * (f[j][b] - mean[b]), 0)));
    const step = solve(h, grad);
    // Damped Newton: halve the step until the dual objective decreases.
    const dual = (l: number[]) => {
      const logits = f.map((row) => row.reduce((acc, v, i) => acc + v * l[i], 0));
      const top = Math.max(...logits);
      return top + Math.log(logits.reduce((acc, x) => acc + Math.exp(x - top), 0)) - l.reduce((acc, li, i) => acc + li * targets[i], 0);
    };
    let t = 1;
    const current = dual(lambda);
    let next = lambda.map((li, i) => li - t * step[i]);
    while (dual(next) > current && t > 1e-8) {
      t /= 2;
      next = lambda.map((li, i) => li - t * step[i]);
    }
    lambda = next;
  }
  return distribution(lambda);
}

function solve(a: number[][], b: number[]): number[] {
  if (a.length === 1) return [b[0] / (a[0][0] || 1e-12)];
  const det = a[0][0] * a[1][1] - a[0][1] * a[1][0] || 1e-12;
  return [(b[0] * a[1][1] - b[1] * a[0][1]) / det, (a[0][0] * b[1] - a[1][0] * b[0]) / det];
}

const rounded = (p: number) => Math.round(p * 1e9) / 1e9;

function rowFor(count: number, p: PTableParams): PTableRow {
  const { maxDeviation: D, variance: V, minCellSize: m } = p;
  if (count < m) return { count, deviations: [{ deviation: 0, probability: 1 }] };
  const lo = Math.max(-D, m - count);
  const support = Array.from({ length: D - lo + 1 }, (_, i) => lo + i);
  // Mean 0 with variance V on [lo, D] needs V strictly below −lo·D (the largest such variance).
  const centred = lo < 0 && V < -lo * D - 1e-9;
  const probs = centred ? maxEntropy(support, [(d) => d, (d) => d * d], [0, V]) : maxEntropy(support, [(d) => d * d], [Math.min(V, D * D - 1e-6)]);
  const deviations = support.map((deviation, i) => ({ deviation, probability: rounded(probs[i]) })).filter((d) => d.probability > 0);
  // Probabilities sum to 1 exactly after rounding: the remainder goes to the most likely deviation.
  const total = deviations.reduce((a, d) => a + d.probability, 0);
  const top = deviations.reduce((best, d) => (d.probability > best.probability ? d : best));
  top.probability = rounded(top.probability + 1 - total);
  return { count, deviations };
}

const cache = new Map<string, PTable>();

/** The p-table of a parameter set (memoised: it is pure). Throws on parameters `ptableParamsProblem` refuses. */
export function perturbationTable(params: PTableParams): PTable {
  const problem = ptableParamsProblem(params);
  if (problem) throw new Error(problem);
  const id = `${params.maxDeviation}/${params.variance}/${params.minCellSize}`;
  const known = cache.get(id);
  if (known) return known;
  const last = params.minCellSize + params.maxDeviation;
  const table: PTable = {
    method: 'cell_key',
    ...params,
    counts: Array.from({ length: last + 1 }, (_, n) => rowFor(n, params)),
  };
  cache.set(id, table);
  return table;
}

/**
 * The deviation of a cell: the row of its count (the last row for larger counts) read as a
 * cumulative distribution at the cell key u ∈ [0,1). Deterministic in (u, count).
 */
export function lookupDeviation(table: PTable, cellKey: number, count: number): number {
  const row = table.counts[Math.min(Math.max(0, count), table.counts.length - 1)];
  let cumulative = 0;
  for (const d of row.deviations) {
    cumulative += d.probability;
    if (cellKey < cumulative) return d.deviation;
  }
  return row.deviations[row.deviations.length - 1].deviation;
}
