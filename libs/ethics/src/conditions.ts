/**
 * Conditions an ethics decision puts on a use case; they tighten the disclosure policy
 * of every contract of the use case and never loosen it.
 */
export interface DecisionConditions {
  minCellSize?: number;
  rounding?: number;
  maxEpsilon?: number;
  /** Column sets that may not be grouped on, alone or together ('datasetName.column' or column names). */
  forbiddenGroupBy?: string[][];
  releaseMode?: 'automatic' | 'provider_review';
  /** Cell key perturbation the decision demands (rule 3); larger is stricter, as in contract terms. */
  perturbation?: { maxDeviation?: number; variance?: number };
}

const setKey = (columns: string[]) => JSON.stringify([...new Set(columns)].sort());

/**
 * Merges the conditions of several approving votes: the strictest wins on every
 * field (largest minCellSize and rounding, smallest maxEpsilon, union of forbidden
 * group-bys, provider_review over automatic, largest perturbation maxDeviation and variance). Fields nobody set stay absent.
 */
export function mergeConditions(all: DecisionConditions[]): DecisionConditions {
  const merged: DecisionConditions = {};
  const forbidden = new Map<string, string[]>();
  for (const c of all) {
    if (c.minCellSize !== undefined) merged.minCellSize = Math.max(merged.minCellSize ?? c.minCellSize, c.minCellSize);
    if (c.rounding !== undefined) merged.rounding = Math.max(merged.rounding ?? c.rounding, c.rounding);
    if (c.maxEpsilon !== undefined) merged.maxEpsilon = Math.min(merged.maxEpsilon ?? c.maxEpsilon, c.maxEpsilon);
    if (c.releaseMode !== undefined) {
      merged.releaseMode = merged.releaseMode === 'provider_review' || c.releaseMode === 'provider_review' ? 'provider_review' : 'automatic';
    }
    for (const field of ['maxDeviation', 'variance'] as const) {
      const v = c.perturbation?.[field];
      if (v === undefined) continue;
      merged.perturbation = { ...merged.perturbation, [field]: Math.max(merged.perturbation?.[field] ?? v, v) };
    }
    for (const set of c.forbiddenGroupBy ?? []) {
      if (set.length) forbidden.set(setKey(set), [...new Set(set)].sort());
    }
  }
  if (forbidden.size) merged.forbiddenGroupBy = [...forbidden.values()].sort((a, b) => setKey(a).localeCompare(setKey(b)));
  return merged;
}
