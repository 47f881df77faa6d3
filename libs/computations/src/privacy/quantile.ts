import { RandomSource, uniformUnit } from './random-source';

/**
 * The q-quantile of a cell by the exponential mechanism (McSherry & Talwar 2007) over a
 * grid of the declared [min, max]: candidates c_i = min + i·(max−min)/steps, utility
 * u(c_i) = −|#{x < c_i} − q·n| (sensitivity 1: one person moves a rank by at most one
 * and q·n by q ≤ 1), P(c_i) ∝ exp(ε·u/2). The data enter only as the histogram of
 * clamped values on the grid (`histogram[j]` persons in [c_j, c_{j+1}), the last bucket
 * holding max itself), so the output is always a grid point, never a person's value.
 */
export function dpQuantile(
  histogram: number[],
  spec: { min: number; max: number; steps: number; q: number; epsilon: number },
  random: RandomSource,
): number {
  const { min, max, steps, q, epsilon } = spec;
  const n = histogram.reduce((a, b) => a + b, 0);
  const logWeights: number[] = [];
  let below = 0;
  for (let i = 0; i <= steps; i++) {
    logWeights.push((epsilon * -Math.abs(below - q * n)) / 2);
    below += histogram[i] ?? 0;
  }
  const top = Math.max(...logWeights);
  const weights = logWeights.map((w) => Math.exp(w - top));
  const total = weights.reduce((a, b) => a + b, 0);
  let target = uniformUnit(random) * total;
  let pick = steps;
  for (let i = 0; i <= steps; i++) {
    target -= weights[i];
    if (target < 0) {
      pick = i;
      break;
    }
  }
  return min + ((max - min) * pick) / steps;
}
