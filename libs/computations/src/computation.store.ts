import type { EntityManager } from 'typeorm';
import { prepared, preparedRows, runPrepared } from '@cadre/common';
import type { ComputationQuery } from './query/query';
import type { Plan } from './planning/plan';
import type { DatasetVersionRef } from './planning/versions';
import type { ComputationResult } from './disclosure/result';
import type { RejectionCode } from './computations.errors';

export type ComputationStatus = 'queued' | 'running' | 'released' | 'pending_release' | 'rejected' | 'failed' | 'cancelled';

/** A computation as stored (cadre.computations). Never leaves the service layer. */
export interface ComputationRecord {
  id: string;
  useCaseId: string;
  submittedBy: string;
  status: ComputationStatus;
  query: ComputationQuery;
  plan: Plan;
  mechanism: 'none' | 'laplace' | 'gaussian';
  epsilon: number;
  contractIds: string[];
  providerOrganisationIds: string[];
  releaseMode: 'automatic' | 'provider_review';
  result: (ComputationResult & { signature: string }) | null;
  rejection: { code: RejectionCode; detail: string } | null;
  failure: string | null;
  idempotencyKey: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  releasedAt: Date | null;
  releasedBy: string[];
}

const COLUMNS = `c.id, c.use_case_id, c.submitted_by, c.status, c.query, c.plan, c.mechanism, c.epsilon, c.contract_ids,
  c.provider_organisation_ids, c.release_mode, c.result, c.rejection, c.failure, c.idempotency_key, c.created_at, c.started_at,
  c.finished_at, c.released_at,
  COALESCE((SELECT array_agg(r.organisation_id::text ORDER BY r.released_at) FROM cadre.computation_releases r WHERE r.computation_id = c.id), '{}') AS released_by`;

/**
 * The statements every computation runs, prepared. `transition` builds its text from the
 * caller's column names (code constants), so its texts are a fixed few as well.
 */
const SQL = {
  find: prepared(`SELECT ${COLUMNS} FROM cadre.computations c WHERE c.id = $1`),
  findForUpdate: prepared(`SELECT ${COLUMNS} FROM cadre.computations c WHERE c.id = $1 FOR UPDATE OF c`),
  claim: prepared(
    `UPDATE cadre.computations c SET status = 'running', started_at = now(), lease_until = now() + $2 * interval '1 millisecond'
      WHERE c.id = $1 AND (c.status = 'queued' OR (c.status = 'running' AND COALESCE(c.lease_until, c.started_at + interval '3 minutes') < now()))
      RETURNING ${COLUMNS}`,
  ),
  insert: prepared(
    `INSERT INTO cadre.computations (use_case_id, submitted_by, query, plan, mechanism, epsilon, contract_ids, provider_organisation_ids, release_mode, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8::uuid[], $9, $10) RETURNING id`,
  ),
  usage: prepared(`SELECT computations_used AS used, epsilon_spent AS spent FROM cadre.use_case_usage WHERE use_case_id = $1`),
  counted: prepared(
    `INSERT INTO cadre.use_case_usage AS u (use_case_id, computations_used, epsilon_spent) VALUES ($1, 1, $2)
     ON CONFLICT (use_case_id) DO UPDATE SET computations_used = u.computations_used + 1, epsilon_spent = u.epsilon_spent + EXCLUDED.epsilon_spent
     RETURNING computations_used AS used, epsilon_spent AS spent`,
  ),
  recordPopulation: prepared(`INSERT INTO cadre.published_populations (use_case_id, population_key, computation_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`),
  publishedExactPlans: prepared(
    `SELECT c.plan, c.result->'datasetVersions' AS versions
       FROM cadre.published_populations p JOIN cadre.computations c ON c.id = p.computation_id
      WHERE p.use_case_id = $1 AND p.population_key <> $3 AND c.id <> $2
      ORDER BY p.created_at, p.computation_id`,
  ),
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a raw pg row (snake_case columns), mapped field by field below
function toRecord(r: any): ComputationRecord {
  return {
    id: r.id,
    useCaseId: r.use_case_id,
    submittedBy: r.submitted_by,
    status: r.status,
    query: r.query,
    plan: r.plan,
    mechanism: r.mechanism,
    epsilon: Number(r.epsilon),
    contractIds: r.contract_ids,
    providerOrganisationIds: r.provider_organisation_ids,
    releaseMode: r.release_mode,
    result: r.result,
    rejection: r.rejection,
    failure: r.failure,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    releasedAt: r.released_at,
    releasedBy: r.released_by ?? [],
  };
}

/** Marks a column to be set to the database's now(). */
export const NOW = Symbol('now');

/** The computations context's own SQL: loads, inserts and guarded transitions. */
export const computationStore = {
  async find(em: EntityManager, id: string, lock = false): Promise<ComputationRecord | null> {
    const rows = (await runPrepared(em, lock ? SQL.findForUpdate : SQL.find, [id])) as unknown[];
    return rows.length ? toRecord(rows[0]) : null;
  },

  /** The lease's claim (ComputationLease): moves the computation to running under a lease and answers it, or null when it was not claimable. */
  async claim(em: EntityManager, id: string, leaseMs: number): Promise<ComputationRecord | null> {
    const rows = await preparedRows(em, SQL.claim, [id, leaseMs]);
    return rows.length ? toRecord(rows[0]) : null;
  },

  async findByIdempotencyKey(em: EntityManager, useCaseId: string, userId: string, key: string): Promise<ComputationRecord | null> {
    const rows = await em.query(`SELECT ${COLUMNS} FROM cadre.computations c WHERE c.use_case_id = $1 AND c.submitted_by = $2 AND c.idempotency_key = $3`, [
      useCaseId,
      userId,
      key,
    ]);
    return rows.length ? toRecord(rows[0]) : null;
  },

  async insert(
    em: EntityManager,
    c: Pick<ComputationRecord, 'useCaseId' | 'submittedBy' | 'query' | 'plan' | 'mechanism' | 'epsilon' | 'contractIds' | 'providerOrganisationIds' | 'releaseMode' | 'idempotencyKey'>,
  ): Promise<string> {
    const rows = (await runPrepared(em, SQL.insert, [
      c.useCaseId, c.submittedBy, JSON.stringify(c.query), JSON.stringify(c.plan), c.mechanism, c.epsilon, c.contractIds, c.providerOrganisationIds, c.releaseMode,
      c.idempotencyKey,
    ])) as { id: string }[];
    return rows[0].id;
  },

  /** Moves a computation from one of `from` to `to`, setting columns (code constants; NOW for now()); answers whether it moved. */
  async transition(em: EntityManager, id: string, from: ComputationStatus[], to: ComputationStatus, set: Record<string, unknown> = {}): Promise<boolean> {
    const params: unknown[] = [id, to, from];
    const assignments = ['status = $2'];
    for (const [column, value] of Object.entries(set)) {
      if (value === NOW) {
        assignments.push(`${column} = now()`);
        continue;
      }
      params.push(value !== null && typeof value === 'object' ? JSON.stringify(value) : value);
      assignments.push(`${column} = $${params.length}`);
    }
    const sql = `UPDATE cadre.computations SET ${assignments.join(', ')} WHERE id = $1 AND status = ANY($3::text[]) RETURNING id`;
    return (await preparedRows(em, prepared(sql), params)).length === 1;
  },

  /** The allowance and budget a use case has used, as kept by `counted`: the computations that produced a result and the epsilon they spent (one row, whatever the history). */
  async usage(em: EntityManager, useCaseId: string): Promise<{ used: number; epsilonSpent: number }> {
    const [row] = (await runPrepared(em, SQL.usage, [useCaseId])) as { used: number; spent: string }[];
    return row ? { used: row.used, epsilonSpent: Number(row.spent) } : { used: 0, epsilonSpent: 0 };
  },

  /**
   * Counts a stored result (and its epsilon) in the use case's usage and answers the usage
   * with it included. Its row lock, held to COMMIT, is the one section the storing
   * transactions of a use case pass one at a time: take it last.
   */
  async counted(em: EntityManager, useCaseId: string, epsilon: number): Promise<{ used: number; epsilonSpent: number }> {
    const [row] = (await runPrepared(em, SQL.counted, [useCaseId, epsilon])) as { used: number; spent: string }[];
    return { used: row.used, epsilonSpent: Number(row.spent) };
  },

  /** Records an exact computation as its population's representative for the differencing check, if it is the first. */
  async recordPopulation(em: EntityManager, useCaseId: string, populationKey: string, computationId: string): Promise<void> {
    await runPrepared(em, SQL.recordPopulation, [useCaseId, populationKey, computationId]);
  },

  /** One earlier published exact plan per distinct population, other than the population `exceptKey` (the current one), oldest first. */
  async publishedExactPlans(em: EntityManager, useCaseId: string, exceptId: string, exceptKey: string): Promise<{ plan: Plan; versions?: DatasetVersionRef[] }[]> {
    const rows = (await runPrepared(em, SQL.publishedExactPlans, [useCaseId, exceptId, exceptKey])) as { plan: Plan; versions: DatasetVersionRef[] | null }[];
    return rows.map((r) => ({ plan: r.plan, versions: r.versions ?? undefined }));
  },

  async spend(em: EntityManager, useCaseId: string, computationId: string, mechanism: string, epsilon: number, delta: number): Promise<void> {
    await em.query(
      `INSERT INTO cadre.privacy_budget_ledger (use_case_id, computation_id, mechanism, epsilon, delta) VALUES ($1, $2, $3, $4, $5)`,
      [useCaseId, computationId, mechanism, epsilon, delta],
    );
  },

  async recordRelease(em: EntityManager, computationId: string, organisationId: string, userId: string): Promise<void> {
    await em.query(
      `INSERT INTO cadre.computation_releases (computation_id, organisation_id, released_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [computationId, organisationId, userId],
    );
  },
};
