import { compactVerify, createLocalJWKSet, JSONWebKeySet } from 'jose';
import type { TestPlatform } from './platform';

/**
 * The attacker's statistics against cell key perturbation, from the public p-table only.
 *
 * A differencing attack subtracts two released cells whose persons differ by one (the
 * victim). It recovers the victim exactly when both cells received the same deviation.
 * For two independent cells of counts n and n − 1 that happens with probability
 *   P(n) = Σ_d p_n(d) · p_{n−1}(d)
 * where p_n is the p-table's distribution of deviations for a cell of true count n (the
 * last entry applies to every larger count). Over many victims the number of exact
 * recoveries is a sum of independent Bernoulli(P(n_i)); a sound platform stays under its
 * mean + 3 standard deviations, and strictly under "every victim".
 */

 
type Json = any;

export interface PerturbationTable {
  method: 'cell_key';
  maxDeviation: number;
  variance: number;
  minCellSize: number;
  counts: { count: number; deviations: { deviation: number; probability: number }[] }[];
}

/** The parameters a result states (disclosure.perturbation and disclosure.minCellSize); throws when it states none. */
export function statedPerturbation(result: Json): { maxDeviation: number; variance: number; minCellSize: number } {
  const p = result?.disclosure?.perturbation;
  if (!p || p.method !== 'cell_key') {
    throw new Error(`the result states no cell key perturbation: disclosure = ${JSON.stringify(result?.disclosure)}`);
  }
  return { maxDeviation: p.maxDeviation, variance: p.variance, minCellSize: result.disclosure.minCellSize };
}

/** GET /register/perturbation-table (public, no token) for the parameters a result states. */
export async function publishedTable(platform: TestPlatform, stated: { maxDeviation: number; variance: number; minCellSize: number }): Promise<PerturbationTable> {
  const res = await platform
    .http()
    .get('/api/v1/register/perturbation-table')
    .query({ maxDeviation: stated.maxDeviation, variance: stated.variance, minCellSize: stated.minCellSize });
  if (res.status !== 200) throw new Error(`perturbation table: expected 200, got ${res.status} ${JSON.stringify(res.body)}`);
  const table = res.body as PerturbationTable;
  if (!Array.isArray(table.counts) || table.counts.length === 0) throw new Error(`perturbation table without counts: ${JSON.stringify(table)}`);
  return table;
}

/** The distribution of deviations for a cell of true count n (the last entry covers every larger count). */
export function deviationsFor(table: PerturbationTable, n: number): Map<number, number> {
  const sorted = [...table.counts].sort((a, b) => a.count - b.count);
  const entry = sorted.find((e) => e.count === n) ?? (n > sorted[sorted.length - 1].count ? sorted[sorted.length - 1] : undefined);
  if (!entry) throw new Error(`the p-table has no entry for count ${n}`);
  const total = entry.deviations.reduce((s, d) => s + d.probability, 0);
  if (Math.abs(total - 1) > 1e-6) throw new Error(`the p-table's distribution for count ${n} sums to ${total}`);
  return new Map(entry.deviations.map((d) => [d.deviation, d.probability]));
}

/** P(two independent cells of counts n and m get the same deviation) = Σ_d p_n(d)·p_m(d). */
export function equalDeviationProbability(table: PerturbationTable, n: number, m: number): number {
  const pn = deviationsFor(table, n);
  const pm = deviationsFor(table, m);
  let p = 0;
  for (const [d, q] of pn) p += q * (pm.get(d) ?? 0);
  return p;
}

/** The bound on exact recoveries over independent victims of recovery probabilities `ps`: mean + 3·sd. */
export function recoveryBound(ps: number[]): { victims: number; expected: number; sd: number; bound: number } {
  const expected = ps.reduce((s, p) => s + p, 0);
  const sd = Math.sqrt(ps.reduce((s, p) => s + p * (1 - p), 0));
  return { victims: ps.length, expected, sd, bound: expected + 3 * sd };
}

/** Verifies a result's compact JWS with the public JWKS alone; returns the signed payload. */
export async function signedPayload(platform: TestPlatform, signature: string): Promise<Json> {
  const jwks = (await platform.http().get('/.well-known/jwks.json').expect(200)).body as JSONWebKeySet;
  const { payload } = await compactVerify(signature, createLocalJWKSet(jwks));
  return JSON.parse(new TextDecoder().decode(payload));
}
