import type { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import { prepared, runPrepared } from '@cadre/common';
import type { CatalogueDataset } from '../policy/policy';
import type { Plan } from '../planning/plan';
import type { CompiledStatement } from './compiler';
import { quoteIdent, vaultTable } from './sql-text';
import { runReadOnly, VaultQueryFailed } from './vault-runner';

/** A join key of one vault version: a person dataset's linkage key or a joined reference key. */
export interface JoinKey {
  versionId: string;
  table: string;
  column: string;
  /** The linkage key of a dataset declared `person`-level: checked unique at ingestion of every version. */
  declaredUnique?: boolean;
}

/**
 * The keys the plan joins on, in the current versions: if each holds every value once, a
 * person has at most one joined row (person datasets meet on their pseudonyms, a
 * reference row matches at most once). Throws if the catalogue lacks what the plan names.
 */
export function joinKeys(plan: Plan, catalogue: CatalogueDataset[]): JoinKey[] {
  const entry = (datasetId: string) => {
    const d = catalogue.find((c) => c.id === datasetId);
    if (!d?.current) throw new Error('the catalogue lacks a dataset of the plan');
    return { versionId: d.current.versionId, table: d.current.table, columns: d.columns, level: d.level };
  };
  const keys: JoinKey[] = plan.datasets
    .filter((d) => d.kind === 'person')
    .map((d) => {
      const { columns, level, ...version } = entry(d.datasetId);
      const linkage = columns.find((c) => c.role === 'linkage_key');
      if (!linkage) throw new Error('a person-level dataset without linkage key');
      return { ...version, column: linkage.name, ...(level === 'person' ? { declaredUnique: true } : {}) };
    });
  for (const j of plan.joins) {
    const { columns, level: _level, ...version } = entry(j.right.datasetId);
    if (!columns.some((c) => c.name === j.right.column)) throw new Error('the catalogue lacks a column of the plan');
    keys.push({ ...version, column: j.right.column });
  }
  return keys;
}

/**
 * Whether a key column holds each value once, compared as the join compares it (as text,
 * bytewise). A NULL counts as a duplicate, so only a clean yes is a yes. Answers one
 * boolean: no value leaves the database.
 */
export function compileKeyUniqueness(key: JoinKey): CompiledStatement {
  const col = `(${quoteIdent(key.column)})::text COLLATE "C"`;
  return { sql: `SELECT count(*) = count(DISTINCT ${col}) AS is_unique FROM ${vaultTable(key.table)}`, params: [] };
}

/** What is known of the join keys' uniqueness (read by every joined computation): prepared. */
const KNOWN_UNIQUENESS = prepared(`SELECT version_id, column_name, is_unique FROM cadre.vault_key_uniqueness WHERE version_id = ANY((SELECT $1::text[])::text[])`); // see PreparedSql

/**
 * Whether every person of the plan has at most one joined row, from the recorded
 * uniqueness of its join keys; keys never checked are measured now as the compute role
 * (once per version: versions are immutable) and recorded. A failed measurement answers
 * false (the general path is always right) and is not recorded.
 */
export async function onePersonPerRow(
  em: EntityManager,
  compute: Pool,
  plan: Plan,
  catalogue: CatalogueDataset[],
  statementTimeoutMs: number,
): Promise<boolean> {
  // A person-level dataset's key was checked unique at ingestion (issue 13): nothing to measure.
  const keys = joinKeys(plan, catalogue).filter((k) => !k.declaredUnique);
  if (keys.length === 0) return true;
  const recorded = (await runPrepared(em, KNOWN_UNIQUENESS, [keys.map((k) => k.versionId)])) as { version_id: string; column_name: string; is_unique: boolean }[];
  const known = new Map<string, boolean>(recorded.map((r) => [`${r.version_id}/${r.column_name}`, r.is_unique]));
  if (keys.some((k) => known.get(`${k.versionId}/${k.column}`) === false)) return false;
  const unknown = keys.filter((k) => !known.has(`${k.versionId}/${k.column}`));
  if (unknown.length === 0) return true;
  let measured: Record<string, unknown>[][];
  try {
    // One connection per key: each check is a single-process sort, so they run side by side.
    measured = await Promise.all(unknown.map(async (k) => (await runReadOnly(compute, [compileKeyUniqueness(k)], statementTimeoutMs))[0]));
  } catch (e) {
    if (e instanceof VaultQueryFailed) return false;
    throw e;
  }
  const answers = unknown.map((k, i) => ({ ...k, isUnique: measured[i][0]?.is_unique === true }));
  await em.query(
    `INSERT INTO cadre.vault_key_uniqueness (version_id, column_name, is_unique)
     SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[]) ON CONFLICT DO NOTHING`,
    [answers.map((a) => a.versionId), answers.map((a) => a.column), answers.map((a) => a.isUnique)],
  );
  return answers.every((a) => a.isUnique);
}
