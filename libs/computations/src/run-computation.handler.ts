import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { canonicalJson, isTransientError, PolicyViolation, prepared, runPrepared } from '@cadre/common';
import { AppConfig } from '@cadre/config';
import { VaultPools } from '@cadre/database';
import { AuditService } from '@cadre/audit';
import { Signer } from '@cadre/identity';
import { Handler, JobContext, JobHandler, JobOutcome, UnitOfWork } from '@cadre/jobs';
import { ComputationLease, ComputationLeaseHeld } from './computation-lease';
import { announceSettled, notifySettled } from './computation-events';
import { ComputationRecord, computationStore, NOW } from './computation.store';
import { ComputationRejected } from './computations.errors';
import { COMPUTATION_SUBJECT } from './computations.service';
import { controlDisclosure, readDenominators, readRawCells } from './disclosure/disclosure-control';
import type { ComputationResult } from './disclosure/result';
import type { Plan } from './planning/plan';
import { PolicyContext, PolicyContextLoader } from './policy/policy-context';
import type { CatalogueDataset } from './policy/policy';
import { releaseWithPrivacy } from './privacy/dp-release';
import { CryptoRandomSource } from './privacy/random-source';
import { parseQuery } from './query/query';
import { compileAggregate } from './sql/compiler';
import { domainCells, domainValues } from './planning/domain';
import { catalogueAt, currentVersions } from './planning/versions';
import { compileDifferencing, distinctEarlierPopulations, isDifferencingRisk, populationKey } from './sql/differencing';
import { onePersonPerRow } from './sql/person-rows';
import { runReadOnly, VaultQueryFailed } from './sql/vault-runner';

/** The storing transaction's locks, in their order (recheckUnderLock): prepared. */
const LOCK = {
  contracts: prepared(`SELECT id FROM cadre.contracts WHERE use_case_id = $1 AND is_current ORDER BY id FOR SHARE`),
  useCase: prepared(`SELECT id FROM cadre.use_cases WHERE id = $1 FOR SHARE`),
  organisations: prepared(`SELECT id FROM cadre.organisations WHERE id = ANY((SELECT $1::uuid[])::uuid[]) ORDER BY id FOR SHARE`), // an array parameter: see PreparedSql
};

/** A transient failure (database or Redis unreachable), as opposed to one the query itself caused. */
function isRetryable(e: unknown): boolean {
  return e instanceof VaultQueryFailed ? e.transient : isTransientError(e);
}

/** Epsilon arithmetic in floating point: 0.1 + 0.2 must fit a budget of 0.3. */
const BUDGET_TOLERANCE = 1e-9;
/** Earlier populations compared per statement. */
const DIFFERENCING_BATCH = 20;

/**
 * Runs a queued computation in the worker. Every check up the chain is made again now
 * (use case, contracts, team, query against the current catalogue and policy, allowance,
 * budget, differencing); the query runs as `cadre_compute`, read-only, under a statement
 * timeout; only the controlled, signed result is stored, with the epsilon spent, in one
 * transaction. Transitions are guarded in SQL, so a job that runs twice changes nothing twice.
 */
@Injectable()
@JobHandler('run-computation')
export class RunComputationHandler implements Handler<'run-computation'> {
  private readonly logger = new Logger('RunComputation');
  private readonly random = new CryptoRandomSource();
  private readonly lease: ComputationLease;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly policies: PolicyContextLoader,
    private readonly vault: VaultPools,
    private readonly signer: Signer,
    private readonly config: AppConfig,
  ) {
    this.lease = new ComputationLease(db, config.jobLeaseMs);
  }

  /** Reports the outcome (and a rejection's code) for the job's end log line. */
  async handle({ computationId }: { computationId: string }, context?: JobContext): Promise<JobOutcome> {
    const record = await this.claimOrWait(computationId);
    if (!record) return { outcome: 'skipped' }; // already run, cancelled, or taken by another worker
    try {
      return await this.lease.hold(record.id, () => this.run(record, context));
    } finally {
      // Long polls in this process (`npm start`); those elsewhere were woken by the commit (notifySettled).
      announceSettled(computationId);
    }
  }

  private async run(record: ComputationRecord, context?: JobContext): Promise<JobOutcome> {
    try {
      const { ctx, plan, catalogue } = await this.recheck(record);
      const population = plan.privacy.mechanism === 'none' ? populationKey(plan, catalogue) : null;
      if (population) await this.assertNoDifferencing(record, plan, ctx, catalogue, population);
      const result = await this.compute(plan, catalogue, ctx);
      await this.store(record, plan, ctx, { ...result, datasetVersions: currentVersions(plan, catalogue) }, population);
      return { outcome: 'done' };
    } catch (e) {
      // The database or Redis went away for a moment: retried by the queue (bounded, with backoff), not failed.
      if (isRetryable(e) && context && context.attempt < context.maxAttempts) {
        this.logger.warn({ computationId: record.id, attempt: context.attempt, error: (e as Error)?.name }, 'computation interrupted by an unavailable service; will retry');
        await this.lease.release(record.id);
        throw e;
      }
      if (e instanceof ComputationRejected || e instanceof PolicyViolation) {
        await this.finish(record, 'rejected', { rejection: { code: e.code, detail: e.detail } });
        return { outcome: 'rejected', code: e.code };
      }
      const failure = e instanceof VaultQueryFailed ? (e.sqlState === '57014' ? 'query_timeout' : 'database_error') : 'internal_error';
      // Never log a message: a driver error can quote a value.
      this.logger.error({ computationId: record.id, failure, error: (e as Error)?.name, sqlState: (e as VaultQueryFailed)?.sqlState }, 'computation failed');
      await this.finish(record, 'failed', { failure });
      return { outcome: 'failed', code: failure };
    }
  }

  /**
   * Claims the computation; when it is running under a lease that has not lapsed yet (the queue
   * handed the job over because its worker stopped, or a lost message was re-published), waits
   * for the lease once, then leaves the job to a later retry.
   */
  private async claimOrWait(id: string): Promise<ComputationRecord | null> {
    const record = await this.claim(id);
    if (record) return record;
    const remaining = await this.lease.remaining(id);
    if (remaining === null) return null; // final, cancelled or unknown: nothing to do
    if (remaining <= this.lease.leaseMs + 1000) {
      await new Promise((r) => setTimeout(r, remaining + 100));
      const again = await this.claim(id);
      if (again) return again;
      if ((await this.lease.remaining(id)) === null) return null;
    }
    throw new ComputationLeaseHeld();
  }

  /** queued → running, once; or running again when the lease of the worker that ran it lapsed (it died). */
  private async claim(id: string): Promise<ComputationRecord | null> {
    return this.uow.run(async (em) => {
      const record = await this.lease.claim(em, id);
      if (!record) return null;
      await this.audit.append(em, {
        actorId: null,
        action: 'computation.started',
        subjectType: COMPUTATION_SUBJECT,
        subjectId: id,
        organisationIds: record.providerOrganisationIds,
        data: { useCaseId: record.useCaseId },
      });
      return record;
    });
  }

  private async recheck(record: ComputationRecord): Promise<{ ctx: PolicyContext; plan: Plan; catalogue: CatalogueDataset[] }> {
    const useCase = await this.policies.snapshot(record.useCaseId);
    const ctx = await this.policies.load(useCase);
    this.policies.assertRunnable(ctx);
    this.policies.assertResearcher(ctx, record.submittedBy);
    await this.policies.assertMembers(ctx);
    const query = parseQuery(record.query);
    const { catalogue, plan } = await this.policies.plan(query, ctx);
    const refusal = allowanceRefusal(await computationStore.usage(this.db.manager, record.useCaseId), plan, ctx);
    if (refusal) throw rejection(refusal);
    return { ctx, plan, catalogue };
  }

  /**
   * Rule 6, for exact results: the population of this computation against the population of
   * every earlier published exact one, re-derived from their stored plans on the dataset
   * versions each recorded (not re-planned on today's versions), in SQL. Under DP
   * it is not checked: the noise protects, and a refusal decided on true counts would itself leak.
   */
  private async assertNoDifferencing(record: ComputationRecord, plan: Plan, ctx: PolicyContext, catalogue: CatalogueDataset[], population: string): Promise<void> {
    const earlier = await computationStore.publishedExactPlans(this.db.manager, record.useCaseId, record.id, population);
    if (!earlier.length) return;
    const ids = new Set(earlier.flatMap((e) => e.plan.datasets.map((d) => d.datasetId)));
    const all = [...catalogue, ...(await this.policies.catalogue([...ids].filter((id) => !catalogue.some((c) => c.id === id))))];
    // A plan whose dataset left the catalogue (or has no data any more) cannot be re-derived.
    const comparable = distinctEarlierPopulations(
      plan,
      earlier
        .filter((e) => e.plan.datasets.every((d) => all.some((c) => c.id === d.datasetId && c.current)))
        .map((e) => ({ plan: e.plan, catalogue: catalogueAt(all, e.versions) })),
      catalogue,
    );
    for (let i = 0; i < comparable.length; i += DIFFERENCING_BATCH) {
      const batch = comparable.slice(i, i + DIFFERENCING_BATCH);
      let diffs: Record<string, unknown>;
      try {
        const pool = await this.vault.computeFor(vaultTables(all));
        [[diffs]] = await runReadOnly(pool, [compileDifferencing(plan, batch, all)], this.config.statementTimeoutMs);
      } catch (e) {
        if (e instanceof VaultQueryFailed) throw e;
        continue; // an earlier plan that no longer compiles against the catalogue
      }
      if (Object.values(diffs).some((d) => isDifferencingRisk(Number(d), ctx.policy.minCellSize))) {
        throw new ComputationRejected('differencing_risk', 'The population differs from an earlier computation by too few persons');
      }
    }
  }

  private async compute(plan: Plan, catalogue: CatalogueDataset[], ctx: PolicyContext): Promise<ComputationResult> {
    const compute = await this.vault.computeFor(vaultTables(catalogue));
    const compiled = compileAggregate(plan, catalogue, {
      onePersonPerRow: await onePersonPerRow(this.db.manager, compute, plan, catalogue, this.config.statementTimeoutMs),
      recordKeySecret: this.config.recordKeySecret,
    });
    const results = await runReadOnly(
      compute,
      [compiled, ...compiled.quantiles.map((q) => q.statement), ...compiled.referenceKeys.map((r) => r.statement), ...compiled.denominators.map((d) => d.statement)],
      this.config.statementTimeoutMs,
    );
    const [rows, ...rest] = results;
    const histograms = rest.slice(0, compiled.quantiles.length);
    const keysAt = compiled.quantiles.length;
    const referenceKeys = new Map(compiled.referenceKeys.map((r, i) => [r.groupIndex, rest[keysAt + i].map((x) => String(x.k))]));
    const denominatorsAt = keysAt + compiled.referenceKeys.length;
    const denominators = new Map(compiled.denominators.map((d, i) => [d.measureIndex, readDenominators(rest[denominatorsAt + i])]));
    const domain = domainValues(plan, referenceKeys);
    if (domainCells(domain, plan.totals && plan.groupBy.length > 0).length > this.policies.maxCells) {
      throw new ComputationRejected('too_many_cells', `The declared domain has more than ${this.policies.maxCells} cells`);
    }
    // The audit head the signed result will name, read while disclosure control runs (a round trip off the path).
    const head = this.audit.headIn(this.db.manager);
    head.catch(() => undefined); // awaited below: a failure surfaces there, not as an unhandled rejection
    await new Promise((r) => setImmediate(r)); // lets the read reach its socket before the synchronous control starts
    const controlled = compiled.dp
      ? releaseWithPrivacy(plan, compiled, rows, histograms, ctx.policy, this.random, domain, denominators)
      : controlDisclosure(plan, compiled, readRawCells(plan, compiled, rows), ctx.policy, domain, denominators);
    return { ...controlled, auditHead: await head };
  }

  /** Signs and stores the controlled result; spends the epsilon in the same transaction, re-checking the budget under a lock. */
  private async store(record: ComputationRecord, plan: Plan, ctx: PolicyContext, result: ComputationResult, population: string | null): Promise<void> {
    const signature = await this.signer.sign({ type: 'cadre.computation_result', computationId: record.id, useCaseId: record.useCaseId, ...result });
    const status = ctx.policy.releaseMode === 'provider_review' ? 'pending_release' : 'released';
    let refused: 'max_computations' | 'budget_exhausted' | null = null;
    try {
      await this.uow.run(async (em) => {
        // Shared row locks and the policy re-read first: they never wait for another computation.
        await this.recheckUnderLock(em, record, ctx);
        // The writes next (they lock only this computation's own rows), counted below with the others.
        const moved = await computationStore.transition(em, record.id, ['running'], status, {
          result: { ...result, signature },
          finished_at: NOW,
          ...(status === 'released' ? { released_at: NOW } : {}),
          release_mode: ctx.policy.releaseMode,
          population_key: population,
        });
        if (!moved) return;
        if (plan.privacy.mechanism !== 'none') {
          await computationStore.spend(em, record.useCaseId, record.id, plan.privacy.mechanism, plan.privacy.epsilon, plan.privacy.delta);
        }
        await this.audit.append(em, {
          actorId: null,
          action: status === 'released' ? 'computation.released' : 'computation.pending_release',
          subjectType: COMPUTATION_SUBJECT,
          subjectId: record.id,
          organisationIds: record.providerOrganisationIds,
          data: {
            useCaseId: record.useCaseId,
            rows: result.rows.length,
            primarySuppressed: result.disclosure.primarySuppressed,
            secondarySuppressed: result.disclosure.secondarySuppressed,
            epsilonSpent: result.privacy.epsilonSpent,
          },
        });
        // Last, the one section the computations of a use case pass one at a time: the usage row
        // counted and read back under its row lock (this computation's own result and spend included),
        // then COMMIT. Under load every round trip inside it is paid by every computation of the use case.
        const dp = plan.privacy.mechanism !== 'none';
        refused = allowanceRefusal(await computationStore.counted(em, record.useCaseId, dp ? plan.privacy.epsilon : 0), plan, ctx, true);
        if (refused) throw new AllowanceExceeded(); // rolls the transition, the spend, the count and the event back
        if (population) await computationStore.recordPopulation(em, record.useCaseId, population, record.id);
        await notifySettled(em, record.id);
      });
    } catch (e) {
      if (!(e instanceof AllowanceExceeded)) throw e;
    }
    if (refused) throw rejection(refused);
  }

  /**
   * The chain up to the data, once more, in the storing transaction and under the locks
   * its transitions take (contracts, then the use case, as signing and termination lock
   * them, then the organisations, as suspension locks them): a contract terminated, a use
   * case suspended, a member suspended or a decision changed while the query ran is seen
   * here (a transition in flight is waited for), and the computation ends `rejected`.
   */
  private async recheckUnderLock(em: EntityManager, record: ComputationRecord, ran: PolicyContext): Promise<void> {
    await runPrepared(em, LOCK.contracts, [record.useCaseId]);
    await runPrepared(em, LOCK.useCase, [record.useCaseId]);
    const organisations = [ran.useCase.requesterOrganisationId, ...ran.useCase.providerOrganisationIds, ...ran.contracts.map((c) => c.providerOrganisationId)];
    await runPrepared(em, LOCK.organisations, [[...new Set(organisations)]]);
    const now = await this.policies.load(await this.policies.snapshot(record.useCaseId, em), em);
    this.policies.assertRunnable(now);
    this.policies.assertResearcher(now, record.submittedBy);
    await this.policies.assertMembers(now, em);
    const ids = (c: PolicyContext) => c.contracts.map((x) => x.id).sort().join(',');
    if (ids(now) !== ids(ran) || canonicalJson(now.policy) !== canonicalJson(ran.policy)) {
      throw new ComputationRejected('policy_changed', 'The contracts or the ethics decision changed while the computation ran');
    }
  }

  private async finish(record: ComputationRecord, status: 'rejected' | 'failed', set: { rejection?: object; failure?: string }): Promise<void> {
    await this.uow.run(async (em: EntityManager) => {
      if (!(await computationStore.transition(em, record.id, ['running'], status, { ...set, finished_at: NOW }))) return;
      await this.audit.append(em, {
        actorId: null,
        action: `computation.${status}`,
        subjectType: COMPUTATION_SUBJECT,
        subjectId: record.id,
        organisationIds: record.providerOrganisationIds,
        data: { useCaseId: record.useCaseId, ...(set.rejection ? { code: (set.rejection as { code: string }).code } : {}), ...(set.failure ? { failure: set.failure } : {}) },
      });
      await notifySettled(em, record.id);
    });
  }
}

/**
 * What the allowance or the budget refuses, given what the use case has used: before this
 * computation (`included` false), or with its own result and spend already counted (true).
 */
function allowanceRefusal(usage: { used: number; epsilonSpent: number }, plan: Plan, ctx: PolicyContext, included = false): 'max_computations' | 'budget_exhausted' | null {
  const dp = plan.privacy.mechanism !== 'none';
  const before = { used: usage.used - (included ? 1 : 0), epsilonSpent: usage.epsilonSpent - (included && dp ? plan.privacy.epsilon : 0) };
  if (before.used >= ctx.policy.maxComputations) return 'max_computations';
  if (dp && before.epsilonSpent + plan.privacy.epsilon > ctx.policy.privacy.epsilonTotal + BUDGET_TOLERANCE) return 'budget_exhausted';
  return null;
}

/** Thrown inside the storing transaction to roll it back when the allowance or the budget refuses. */
class AllowanceExceeded extends Error {}

function rejection(code: 'max_computations' | 'budget_exhausted'): ComputationRejected {
  return code === 'max_computations'
    ? new ComputationRejected('max_computations', 'The use case has used all the computations its contracts allow')
    : new ComputationRejected('budget_exhausted', 'The privacy budget of the use case cannot cover this computation');
}

/** The vault version tables a query over these catalogue entries reads. */
function vaultTables(catalogue: CatalogueDataset[]): string[] {
  return catalogue.flatMap((c) => (c.current ? [c.current.table] : []));
}
