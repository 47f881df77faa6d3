import { createHash } from 'node:crypto';
import type { CatalogueDataset } from '../policy/policy';
import type { Plan } from '../planning/plan';
import type { CompiledStatement } from './compiler';
import { PlanRelation } from './relation';
import { SqlParams } from './sql-text';

/** An earlier computation's plan and the catalogue as it was when it ran (its recorded dataset versions). */
export interface EarlierPopulation {
  plan: Plan;
  catalogue: CatalogueDataset[];
}

/**
 * One statement that measures, exactly and inside the database, how many persons
 * separate the population of `current` from that of each earlier plan: |A Δ B| as
 * (A EXCEPT B) + (B EXCEPT A). It answers one integer per earlier plan (`diff0`, `diff1`…);
 * pseudonyms never leave SQL.
 */
export function compileDifferencing(current: Plan, earlier: EarlierPopulation[], catalogue: CatalogueDataset[]): CompiledStatement {
  if (earlier.length === 0) throw new Error('nothing to compare with');
  const params = new SqlParams();
  const ctes = [`a AS MATERIALIZED (${new PlanRelation(current, catalogue, params).population()})`];
  const diffs: string[] = [];
  earlier.forEach(({ plan, catalogue: recorded }, i) => {
    ctes.push(`b${i} AS MATERIALIZED (${new PlanRelation(plan, recorded, params).population()})`);
    diffs.push(
      `(SELECT count(*) FROM ((SELECT pid FROM a EXCEPT SELECT pid FROM b${i}) UNION ALL (SELECT pid FROM b${i} EXCEPT SELECT pid FROM a)) AS x${i})::integer AS diff${i}`,
    );
  });
  return { sql: `WITH ${ctes.join(', ')} SELECT ${diffs.join(', ')}`, params: params.values };
}

/**
 * A key equal for two plans exactly when their population queries are the same text with
 * the same parameters — equal populations, so |A Δ B| = 0 without asking the database.
 */
export function populationFingerprint(plan: Plan, catalogue: CatalogueDataset[]): string {
  const params = new SqlParams();
  const sql = new PlanRelation(plan, catalogue, params).population();
  return JSON.stringify([sql, params.values]);
}

/** The stored form of a population fingerprint. */
export function populationKey(plan: Plan, catalogue: CatalogueDataset[]): string {
  return createHash('sha256').update(populationFingerprint(plan, catalogue)).digest('hex');
}

/**
 * The earlier plans worth comparing with `current`: one per distinct population, and
 * none whose population is the current one's (a repeated query differs by 0 persons).
 * Keeps a use case that reruns the same query from paying for its whole history each time.
 */
export function distinctEarlierPopulations(current: Plan, earlier: EarlierPopulation[], catalogue: CatalogueDataset[]): EarlierPopulation[] {
  const seen = new Set([populationFingerprint(current, catalogue)]);
  return earlier.filter(({ plan, catalogue: recorded }) => {
    let key: string;
    try {
      key = populationFingerprint(plan, recorded);
    } catch {
      return false; // an earlier plan that no longer compiles against the catalogue
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** API.md rule 5: refused when the populations differ by 1 to minCellSize − 1 persons. */
export function isDifferencingRisk(symmetricDifference: number, minCellSize: number): boolean {
  return symmetricDifference >= 1 && symmetricDifference <= minCellSize - 1;
}
