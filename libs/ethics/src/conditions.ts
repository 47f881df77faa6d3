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
}

const setKey = (columns: string[]) => JSON.stringify([...new Set(columns)].sort());

/**
 * Merges the conditions of several approving votes: the strictest wins on every
 * field (largest minCellSize and rounding, smallest maxEpsilon, union of forbidden
 * group-bys, provider_review over automatic). Fields nobody set stay absent.
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
    for (const set of c.forbiddenGroupBy ?? []) {
      if (set.length) forbidden.set(setKey(set), [...new Set(set)].sort());
    }
  }
  if (forbidden.size) merged.forbiddenGroupBy = [...forbidden.values()].sort((a, b) => setKey(a).localeCompare(setKey(b)));
  return merged;
}
