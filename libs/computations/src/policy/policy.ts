import type { ColumnDescriptor, DatasetDescriptor } from '@cadre/datasets';
import type { Mechanism } from '../query/computation-query.dto';
import { MAX_PTABLE_DEVIATION, PLATFORM_PERTURBATION } from '../disclosure/ptable';

/**
 * The slices of other contexts' records the data plane reads. The catalogue types are the
 * datasets context's own (type-only: the pure core still loads no other lib at run time);
 * the terms and conditions are declared structurally and match `@cadre/contracts`
 * ContractTerms and `@cadre/ethics` DecisionConditions.
 */
export type CatalogueColumn = ColumnDescriptor;
export type CatalogueDataset = DatasetDescriptor;

export interface GrantingTerms {
  datasets: { datasetId: string; columns: string[] }[];
  disclosure: {
    minCellSize: number;
    dominance: { n: number; k: number };
    rounding: number;
    privacy: { mechanism: Mechanism; epsilonTotal: number; delta: number; maxCellsPerPerson?: number };
    /** Rule 3 parameters a provider demands (stricter only: larger than the platform's). */
    perturbation?: Partial<PerturbationParams>;
  };
  maxComputations: number;
  releaseMode: 'automatic' | 'provider_review';
}

export interface PolicyConditions {
  minCellSize?: number;
  rounding?: number;
  maxEpsilon?: number;
  forbiddenGroupBy?: string[][];
  releaseMode?: 'automatic' | 'provider_review';
  perturbation?: Partial<PerturbationParams>;
}

/** Cell key perturbation (rule 3): maximum deviation D and variance V of the p-table. */
export interface PerturbationParams {
  maxDeviation: number;
  variance: number;
}

/** The disclosure policy a computation runs under: the strictest of every contract and of the decision. */
export interface EffectivePolicy {
  minCellSize: number;
  /** Every contract's dominance rule applies (n largest > k% of the total → suppressed). */
  dominance: { n: number; k: number }[];
  /** Counts and sums are rounded to a multiple of this (0: none); the LCM of every requirement. */
  rounding: number;
  privacy: {
    /** `conflicting` when the contracts bind different mechanisms: no query can satisfy them all. */
    mechanism: Mechanism | 'conflicting';
    epsilonTotal: number;
    delta: number;
    /** The largest epsilon one computation may ask. */
    maxEpsilonPerComputation: number;
    /** Under DP, the most cells one person contributes to (L, issue 13): the smallest of every contract's, default 1. */
    maxCellsPerPerson: number;
  };
  forbiddenGroupBy: string[][];
  releaseMode: 'automatic' | 'provider_review';
  maxComputations: number;
  perturbation: PerturbationParams;
}

/** Platform defaults (API.md): 11 persons per cell, dominance (1, 85%), no rounding. */
export const PLATFORM_MIN_CELL_SIZE = 11;
export const PLATFORM_DOMINANCE = { n: 1, k: 85 } as const;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
function lcm(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return (a / gcd(a, b)) * b;
}

/**
 * Combines the terms of every contract of a use case with the ethics decision's
 * conditions, keeping the strictest of each: the largest minimum cell size (never below
 * the platform's 11), every dominance rule, a rounding base that is a multiple of every
 * required one, the smallest budget, provider review if anyone asks for it.
 */
export function effectivePolicy(terms: GrantingTerms[], conditions: PolicyConditions = {}, platformMaxComputations = Infinity): EffectivePolicy {
  const minCellSize = Math.max(PLATFORM_MIN_CELL_SIZE, conditions.minCellSize ?? 0, ...terms.map((t) => t.disclosure.minCellSize));
  const rules = terms.map((t) => t.disclosure.dominance);
  const dominance = (rules.length ? rules : [PLATFORM_DOMINANCE]).filter(
    (r, i, all) => all.findIndex((o) => o.n === r.n && o.k === r.k) === i,
  ).map((r) => ({ n: r.n, k: r.k }));
  const rounding = [conditions.rounding ?? 0, ...terms.map((t) => t.disclosure.rounding)]
    .filter((r) => Number.isInteger(r) && r > 0)
    .reduce(lcm, 0);
  const mechanisms = [...new Set(terms.map((t) => t.disclosure.privacy.mechanism))];
  const mechanism: EffectivePolicy['privacy']['mechanism'] = mechanisms.length === 0 ? 'none' : mechanisms.length === 1 ? mechanisms[0] : 'conflicting';
  const epsilonTotal = terms.length ? Math.min(...terms.map((t) => t.disclosure.privacy.epsilonTotal)) : 0;
  const delta = terms.length ? Math.min(...terms.map((t) => t.disclosure.privacy.delta)) : 0;
  const bounds = terms.map((t) => t.disclosure.privacy.maxCellsPerPerson ?? 1).filter((l) => Number.isInteger(l) && l >= 1);
  const maxCellsPerPerson = bounds.length ? Math.min(...bounds) : 1;
  const maxEpsilonPerComputation = Math.min(epsilonTotal, conditions.maxEpsilon ?? Infinity);
  const releaseMode =
    conditions.releaseMode === 'provider_review' || terms.some((t) => t.releaseMode === 'provider_review') ? 'provider_review' : 'automatic';
  const maxComputations = Math.min(platformMaxComputations, ...terms.map((t) => t.maxComputations));
  return {
    minCellSize,
    perturbation: strictestPerturbation([conditions.perturbation, ...terms.map((t) => t.disclosure.perturbation)]),
    dominance,
    rounding,
    privacy: { mechanism, epsilonTotal, delta, maxEpsilonPerComputation, maxCellsPerPerson },
    forbiddenGroupBy: (conditions.forbiddenGroupBy ?? []).filter((set) => set.length > 0).map((set) => [...set]),
    releaseMode,
    maxComputations: Number.isFinite(maxComputations) ? maxComputations : 0,
  };
}

/**
 * The strictest perturbation asked: the largest maximum deviation and the largest variance
 * of the platform (D = 2, V = 1), the decision and every contract. A variance the maximum
 * deviation cannot carry (V ≥ D²) widens D until it can.
 */
export function strictestPerturbation(asked: (Partial<PerturbationParams> | undefined)[]): PerturbationParams {
  const valid = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
  let maxDeviation = Math.max(PLATFORM_PERTURBATION.maxDeviation, ...asked.map((a) => a?.maxDeviation).filter(valid).map(Math.ceil));
  const variance = Math.max(PLATFORM_PERTURBATION.variance, ...asked.map((a) => a?.variance).filter(valid));
  while (variance >= maxDeviation ** 2) maxDeviation += 1;
  return { maxDeviation: Math.min(maxDeviation, MAX_PTABLE_DEVIATION), variance: Math.min(variance, MAX_PTABLE_DEVIATION ** 2 - 1) };
}
