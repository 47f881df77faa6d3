import type { EntityManager } from 'typeorm';
import { queryReturning } from '@cadre/common';
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
    const rows = await em.query(`SELECT ${COLUMNS} FROM cadre.computations c WHERE c.id = $1${lock ? ' FOR UPDATE OF c' : ''}`, [id]);
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
    const rows = await em.query(
      `INSERT INTO cadre.computations (use_case_id, submitted_by, query, plan, mechanism, epsilon, contract_ids, provider_organisation_ids, release_mode, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8::uuid[], $9, $10) RETURNING id`,
      [c.useCaseId, c.submittedBy, JSON.stringify(c.query), JSON.stringify(c.plan), c.mechanism, c.epsilon, c.contractIds, c.providerOrganisationIds, c.releaseMode, c.idempotencyKey],
    );
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
    return (await queryReturning(em, sql, params)).length === 1;
  },

  /** Computations that count against `maxComputations`: those that produced a result. */
  async countUsed(em: EntityManager, useCaseId: string): Promise<number> {
    const [row] = await em.query(`SELECT count(*)::int AS n FROM cadre.computations WHERE use_case_id = $1 AND status IN ('released','pending_release')`, [useCaseId]);
    return row.n;
  },

  /** countUsed and epsilonSpent in one round trip (the worker reads both, once under the use case's lock). */
  async usage(em: EntityManager, useCaseId: string): Promise<{ used: number; epsilonSpent: number }> {
    const [row] = await em.query(
      `SELECT (SELECT count(*)::int FROM cadre.computations WHERE use_case_id = $1 AND status IN ('released','pending_release')) AS used,
              (SELECT COALESCE(sum(epsilon), 0)::float8 FROM cadre.privacy_budget_ledger WHERE use_case_id = $1) AS spent`,
      [useCaseId],
    );
    return { used: row.used, epsilonSpent: Number(row.spent) };
  },

  /** Earlier computations whose exact result went out (or is about to): their plans for the differencing check. */
  /** One earlier exact plan per distinct population, other than the population `exceptKey` (the current one). */
  async publishedExactPlans(em: EntityManager, useCaseId: string, exceptId: string, exceptKey: string): Promise<{ plan: Plan; versions?: DatasetVersionRef[] }[]> {
    const rows = await em.query(
      `SELECT plan, versions FROM (
         SELECT DISTINCT ON (COALESCE(population_key, id::text)) plan, result->'datasetVersions' AS versions, created_at FROM cadre.computations
          WHERE use_case_id = $1 AND id <> $2 AND mechanism = 'none' AND status IN ('released','pending_release')
            AND population_key IS DISTINCT FROM $3
          ORDER BY COALESCE(population_key, id::text), created_at
       ) AS distinct_populations ORDER BY created_at`,
      [useCaseId, exceptId, exceptKey],
    );
    return rows.map((r: { plan: Plan; versions: DatasetVersionRef[] | null }) => ({ plan: r.plan, versions: r.versions ?? undefined }));
  },

  async epsilonSpent(em: EntityManager, useCaseId: string): Promise<number> {
    const [row] = await em.query(`SELECT COALESCE(sum(epsilon), 0)::float8 AS spent FROM cadre.privacy_budget_ledger WHERE use_case_id = $1`, [useCaseId]);
    return Number(row.spent);
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
