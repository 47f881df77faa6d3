/** What a contract grants and binds: the exact object both parties sign (as canonical JSON). */
export interface ContractTerms {
  datasets: { datasetId: string; columns: string[] }[];
  purpose: string;
  researchers: string[];
  validFrom: string;
  validUntil: string;
  disclosure: {
    minCellSize: number;
    dominance: { n: number; k: number };
    rounding: number;
    privacy: { mechanism: PrivacyMechanism; epsilonTotal: number; delta: number; maxCellsPerPerson?: number };
    /**
     * Column sets that may not be grouped on, alone or together (the ethics decision's
     * `forbiddenGroupBy`, part of the signed terms). Absent in terms drafted before it
     * was signed: read as none.
     */
    forbiddenGroupBy?: string[][];
    /** Cell key perturbation (computations rule 3); absent: the platform's (maxDeviation 2, variance 1). Stricter only: larger. */
    perturbation?: { maxDeviation?: number; variance?: number };
  };
  maxComputations: number;
  releaseMode: ReleaseMode;
}

export type PrivacyMechanism = 'none' | 'laplace' | 'gaussian';
export type ReleaseMode = 'automatic' | 'provider_review';
export const PRIVACY_MECHANISMS: readonly PrivacyMechanism[] = ['none', 'laplace', 'gaussian'];
export const RELEASE_MODES: readonly ReleaseMode[] = ['automatic', 'provider_review'];

/**
 * `pending_signatures` → `active` → `terminated` | `expired`. A pending or active contract
 * replaced when an amended use case is approved again becomes `superseded`; a pending
 * contract whose window ends before it is signed also becomes `expired`.
 */
export type ContractStatus = 'pending_signatures' | 'active' | 'terminated' | 'expired' | 'superseded';
export const CONTRACT_STATUSES: readonly ContractStatus[] = ['pending_signatures', 'active', 'terminated', 'expired', 'superseded'];

/**
 * The platform's disclosure policy before any ethics condition or provider tightening.
 * minCellSize 11 and dominance (1, 85%) are the usual statistical-office thresholds
 * (a cell of fewer than 11 persons, or one dominated by one contributor, is suppressed);
 * rounding 0 means none. Privacy defaults to no mechanism; the epsilon budget is the
 * total available if a provider later binds a DP mechanism (1.0, a conservative total
 * for a whole use case), capped by the decision's `maxEpsilon`.
 */
export const PLATFORM_DISCLOSURE_DEFAULTS: ContractTerms['disclosure'] = Object.freeze({
  minCellSize: 11,
  dominance: Object.freeze({ n: 1, k: 85 }),
  rounding: 0,
  privacy: Object.freeze({ mechanism: 'none' as PrivacyMechanism, epsilonTotal: 1.0, delta: 1e-6 }),
}) as ContractTerms['disclosure'];

/** The subset of an ethics decision's conditions that bind contract terms. */
export interface TermsConditions {
  minCellSize?: number;
  rounding?: number;
  maxEpsilon?: number;
  forbiddenGroupBy?: string[][];
  releaseMode?: ReleaseMode;
}

export interface DraftInput {
  datasets: { datasetId: string; columns: string[] }[];
  purpose: string;
  researchers: string[];
  startsAt: Date | string;
  endsAt: Date | string;
  conditions: TermsConditions;
  maxComputations: number;
}

/**
 * Terms of a freshly drafted contract: the provider's slice of the request, the platform
 * defaults tightened (never loosened) by the ethics conditions. The decision's
 * `forbiddenGroupBy` is copied into `disclosure.forbiddenGroupBy`: the parties sign it.
 */
export function draftTerms(input: DraftInput): ContractTerms {
  const d = PLATFORM_DISCLOSURE_DEFAULTS;
  const c = input.conditions ?? {};
  return {
    datasets: input.datasets.map((ds) => ({ datasetId: ds.datasetId, columns: [...new Set(ds.columns)] })),
    purpose: input.purpose,
    researchers: [...new Set(input.researchers)],
    validFrom: isoInstant(input.startsAt),
    validUntil: isoInstant(input.endsAt),
    disclosure: {
      minCellSize: Math.max(d.minCellSize, c.minCellSize ?? 0),
      dominance: { n: d.dominance.n, k: d.dominance.k },
      rounding: Math.max(d.rounding, c.rounding ?? 0),
      privacy: {
        mechanism: d.privacy.mechanism,
        epsilonTotal: c.maxEpsilon !== undefined ? Math.min(d.privacy.epsilonTotal, c.maxEpsilon) : d.privacy.epsilonTotal,
        delta: d.privacy.delta,
      },
      forbiddenGroupBy: normaliseColumnSets(c.forbiddenGroupBy ?? []),
    },
    maxComputations: input.maxComputations,
    releaseMode: c.releaseMode === 'provider_review' ? 'provider_review' : 'automatic',
  };
}

/** One spelling per instant, so that the canonical JSON (and its hash) of equal terms is equal. */
export function isoInstant(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError('not a date');
  return date.toISOString();
}

const setKey = (columns: string[]) => JSON.stringify([...new Set(columns)].sort());

/** Column sets deduplicated and sorted (each set and the list), so that equal meanings hash equally. */
export function normaliseColumnSets(sets: string[][]): string[][] {
  const unique = new Map<string, string[]>();
  for (const set of sets) if (set.length) unique.set(setKey(set), [...new Set(set)].sort());
  return [...unique.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, set]) => set);
}

/** Whether `after` forbids at least every column set `before` forbids. */
export function forbidsAtLeast(before: string[][] | undefined, after: string[][] | undefined): boolean {
  const kept = new Set((after ?? []).map(setKey));
  return (before ?? []).every((set) => kept.has(setKey(set)));
}
