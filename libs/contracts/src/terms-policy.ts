import { ContractTerms, forbidsAtLeast, PrivacyMechanism, ReleaseMode } from './contract-terms';

/** A partial terms object as a provider sends it: any key, at any depth, may be left out. */
export type TermsPatch = DeepPartial<ContractTerms>;
type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export interface FieldProblem {
  field: string;
  message: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges a partial terms object into the current terms: nested objects key by key,
 * arrays and scalars replaced whole, absent keys unchanged. Never mutates its inputs.
 */
export function mergeTerms(current: ContractTerms, patch: TermsPatch): ContractTerms {
  return deepMerge(current, patch) as ContractTerms;
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = key in base ? deepMerge(base[key], value) : structuredClone(value);
  }
  return out;
}

/** Paths of the patch that hold `null`: "remove this" is never a meaning a term can take. */
export function nullPaths(patch: unknown, prefix = 'terms'): string[] {
  if (patch === null) return [prefix];
  if (Array.isArray(patch)) return patch.flatMap((v, i) => nullPaths(v, `${prefix}[${i}]`));
  if (isPlainObject(patch)) return Object.entries(patch).flatMap(([k, v]) => nullPaths(v, `${prefix}.${k}`));
  return [];
}

/**
 * Strictness ranks. Differential privacy is stricter than none; pure ε-DP (laplace) is
 * stricter than (ε, δ)-DP (gaussian), which allows a δ chance of exceeding ε.
 */
const MECHANISM_RANK: Record<PrivacyMechanism, number> = { none: 0, gaussian: 1, laplace: 2 };
const RELEASE_RANK: Record<ReleaseMode, number> = { automatic: 0, provider_review: 1 };

/**
 * Every field in which `after` grants more than `before` (empty: `after` is at least as
 * strict). Dominance suppresses a cell when its n largest contributors exceed k% of the
 * total: the share of the top n grows with n, so a higher n suppresses a superset of
 * cells, and so does a lower k — both are stricter.
 */
export function looserFields(before: ContractTerms, after: ContractTerms): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const looser = (field: string, message: string) => problems.push({ field, message });

  const granted = new Map(before.datasets.map((d) => [d.datasetId, new Set(d.columns)]));
  after.datasets.forEach((ds, i) => {
    const columns = granted.get(ds.datasetId);
    if (!columns) return looser(`terms.datasets[${i}].datasetId`, 'dataset not granted by the current terms');
    const added = ds.columns.filter((c) => !columns.has(c));
    if (added.length) looser(`terms.datasets[${i}].columns`, `columns not granted by the current terms: ${added.join(', ')}`);
  });
  if (after.purpose !== before.purpose) looser('terms.purpose', 'the purpose is the approved one and cannot change');
  const team = new Set(before.researchers);
  if (after.researchers.some((r) => !team.has(r))) looser('terms.researchers', 'researchers may only be removed');

  if (Date.parse(after.validFrom) < Date.parse(before.validFrom)) looser('terms.validFrom', 'may only move later');
  if (Date.parse(after.validUntil) > Date.parse(before.validUntil)) looser('terms.validUntil', 'may only move earlier');

  const [b, a] = [before.disclosure, after.disclosure];
  if (a.minCellSize < b.minCellSize) looser('terms.disclosure.minCellSize', 'may only increase');
  if (a.dominance.n < b.dominance.n) looser('terms.disclosure.dominance.n', 'may only increase');
  if (a.dominance.k > b.dominance.k) looser('terms.disclosure.dominance.k', 'may only decrease');
  if (a.rounding < b.rounding) looser('terms.disclosure.rounding', 'may only increase');
  if (MECHANISM_RANK[a.privacy.mechanism] < MECHANISM_RANK[b.privacy.mechanism]) {
    looser('terms.disclosure.privacy.mechanism', 'may only go from none to gaussian to laplace');
  }
  if (a.privacy.epsilonTotal > b.privacy.epsilonTotal) looser('terms.disclosure.privacy.epsilonTotal', 'may only decrease');
  if (a.privacy.delta > b.privacy.delta) looser('terms.disclosure.privacy.delta', 'may only decrease');
  const [pb, pa] = [{ maxDeviation: 2, variance: 1, ...b.perturbation }, { maxDeviation: 2, variance: 1, ...a.perturbation }];
  if (!(pa.maxDeviation >= pb.maxDeviation)) looser('terms.disclosure.perturbation.maxDeviation', 'may only increase');
  if (!(pa.variance >= pb.variance)) looser('terms.disclosure.perturbation.variance', 'may only increase');
  if (!(pa.variance < pa.maxDeviation ** 2)) looser('terms.disclosure.perturbation.variance', 'must stay below maxDeviation²');
  if (!((a.privacy.maxCellsPerPerson ?? 1) <= (b.privacy.maxCellsPerPerson ?? 1))) looser('terms.disclosure.privacy.maxCellsPerPerson', 'may only decrease');
  if (!forbidsAtLeast(b.forbiddenGroupBy, a.forbiddenGroupBy)) looser('terms.disclosure.forbiddenGroupBy', 'forbidden column sets may only be added');

  if (after.maxComputations > before.maxComputations) looser('terms.maxComputations', 'may only decrease');
  if (RELEASE_RANK[after.releaseMode] < RELEASE_RANK[before.releaseMode]) looser('terms.releaseMode', 'may only go from automatic to provider_review');
  return problems;
}

/** Structural problems of a terms object whatever its history (duplicates, an empty window). */
export function malformedFields(terms: ContractTerms): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  terms.datasets.forEach((ds, i) => {
    if (seen.has(ds.datasetId)) problems.push({ field: `terms.datasets[${i}].datasetId`, message: 'dataset listed twice' });
    seen.add(ds.datasetId);
    if (new Set(ds.columns).size !== ds.columns.length) problems.push({ field: `terms.datasets[${i}].columns`, message: 'column listed twice' });
  });
  if (new Set(terms.researchers).size !== terms.researchers.length) problems.push({ field: 'terms.researchers', message: 'researcher listed twice' });
  if (!(Date.parse(terms.validFrom) < Date.parse(terms.validUntil))) problems.push({ field: 'terms.validUntil', message: 'must be after validFrom' });
  return problems;
}
