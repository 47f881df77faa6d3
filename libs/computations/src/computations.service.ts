import { isHearing, notifySettled, watchSettled } from './computation-events';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { canonicalJson, InvalidInput, NotFound, PolicyViolation, WrongState } from '@cadre/common';
import { AbilityFactory, authorize, subject } from '@cadre/access';
import { AuditService } from '@cadre/audit';
import { UseCasesService, UseCaseSnapshot } from '@cadre/ethics';
import type { Actor } from '@cadre/identity';
import { OutboxService, UnitOfWork } from '@cadre/jobs';
import { ComputationRecord, computationStore, ComputationStatus, NOW } from './computation.store';
import { ComputationRejected, IdempotencyKeyReused } from './computations.errors';
import { PolicyContextLoader } from './policy/policy-context';
import type { ComputationQuery } from './query/query';
import { resultCsv } from './disclosure/result-csv';

export const COMPUTATION_SUBJECT = 'Computation';
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * A long poll re-reads the row this often while this process cannot hear the end of
 * computations elsewhere (SettledListener down; in one process it wakes at once)…
 */
const WAIT_RECHECK_MS = 250;
/** …and this often while it hears them: a safety net only (each re-read costs what a GET does). */
const HEARING_RECHECK_MS = 2000;

/** What the API shows of a computation; `result` only to whom may see it in its state. */
export interface ComputationView {
  id: string;
  useCaseId: string;
  status: ComputationStatus;
  submittedBy: string;
  query: ComputationQuery;
  result?: ComputationRecord['result'];
  rejection?: { code: string; detail: string };
  failure?: string;
  epsilon: number;
  releaseMode: 'automatic' | 'provider_review';

  providerOrganisationIds: string[];
  releasedBy: string[];
  createdAt: Date;
  finishedAt: Date | null;
}

export interface BudgetView {
  epsilonTotal: number;
  epsilonSpent: number;
  computationsMax: number;
  computationsUsed: number;
}

/** Submission, reading, release, cancellation and budget of computations (the API side). */
@Injectable()
export class ComputationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly uow: UnitOfWork,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly abilities: AbilityFactory,
    private readonly useCases: UseCasesService,
    private readonly policies: PolicyContextLoader,
  ) {}

  /**
   * Checks a query against the use case, its contracts, the catalogue and the policy
   * (422 on any refusal), stores it `queued` and enqueues its run, in one transaction.
   * The same Idempotency-Key with the same query answers the first computation again.
   */
  async submit(actor: Actor, useCaseId: string, query: ComputationQuery, idempotencyKey?: string): Promise<{ id: string; status: 'queued' }> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new InvalidInput('Invalid Idempotency-Key', [{ field: 'Idempotency-Key', message: 'must be 1 to 200 characters among A-Z a-z 0-9 . _ : -' }]);
    }
    const useCase = await this.useCases.findVisible(actor, useCaseId);
    authorize(this.abilities.createForActor(actor), 'create', subject('Computation', this.subjectOf(useCase)), 'Only a researcher of the use case team may run computations');
    if (idempotencyKey) {
      const first = await this.firstAnswer(useCaseId, actor.id, idempotencyKey, query);
      if (first) return first;
    }
    const ctx = await this.policies.load(useCase);
    try {
      this.policies.assertRunnable(ctx);
      this.policies.assertResearcher(ctx, actor.id);
      await this.policies.assertMembers(ctx);
    } catch (e) {
      if (e instanceof ComputationRejected) throw new PolicyViolation(e.code, e.detail);
      throw e;
    }
    const { plan } = await this.policies.plan(query, ctx);
    try {
      const id = await this.uow.run(async (em) => {
        const id = await computationStore.insert(em, {
          useCaseId,
          submittedBy: actor.id,
          query,
          plan,
          mechanism: plan.privacy.mechanism,
          epsilon: plan.privacy.epsilon,
          contractIds: ctx.contracts.map((c) => c.id),
          providerOrganisationIds: [...new Set(ctx.contracts.map((c) => c.providerOrganisationId))],
          releaseMode: ctx.policy.releaseMode,
          idempotencyKey: idempotencyKey ?? null,
        });
        await this.audit.append(em, {
          actorId: actor.id,
          action: 'computation.submitted',
          subjectType: COMPUTATION_SUBJECT,
          subjectId: id,
          organisationIds: [useCase.requesterOrganisationId, ...useCase.providerOrganisationIds],
          data: { useCaseId, mechanism: plan.privacy.mechanism, epsilon: plan.privacy.epsilon },
        });
        await this.outbox.enqueue(em, 'run-computation', { computationId: id });
        return id;
      });
      return { id, status: 'queued' };
    } catch (e) {
      // Two submissions with one key at once: the loser answers the winner's computation.
      if ((e as { code?: string }).code === '23505' && idempotencyKey) {
        const first = await this.firstAnswer(useCaseId, actor.id, idempotencyKey, query);
        if (first) return first;
      }
      throw e;
    }
  }

  private async firstAnswer(useCaseId: string, userId: string, key: string, query: ComputationQuery): Promise<{ id: string; status: 'queued' } | null> {
    const existing = await computationStore.findByIdempotencyKey(this.db.manager, useCaseId, userId, key);
    if (!existing) return null;
    if (canonicalJson(existing.query) !== canonicalJson(query)) throw new IdempotencyKeyReused();
    return { id: existing.id, status: 'queued' };
  }

  /** One computation, for the team and the providers; 404 for anyone else. */
  async get(actor: Actor, id: string): Promise<ComputationView> {
    const { record, useCase } = await this.loadVisible(actor, id);
    return this.view(actor, record, useCase);
  }

  /**
   * The computation once it has left `queued` and `running`, or as it is after `waitSeconds`
   * (a long poll: one request instead of many). Visibility is re-checked on every read.
   */
  async waitFor(actor: Actor, id: string, waitSeconds: number): Promise<ComputationView> {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      // Listening before the read: a computation that settles while its row is read still wakes this wait.
      const watch = watchSettled(id, Math.min(isHearing() ? HEARING_RECHECK_MS : WAIT_RECHECK_MS, deadline - Date.now()));
      try {
        const view = await this.get(actor, id);
        if ((view.status !== 'queued' && view.status !== 'running') || Date.now() >= deadline) return view;
        await watch.settled;
      } finally {
        watch.cancel();
      }
    }
  }

  /** The released result as CSV, for the team. */
  async resultCsv(actor: Actor, id: string): Promise<string> {
    const { record, useCase } = await this.loadVisible(actor, id);
    authorize(this.abilities.createForActor(actor), 'download', subject('Computation', this.subjectOf(useCase)), 'Only the use case team downloads results');
    if (record.status !== 'released' || !record.result) throw new WrongState('Computation', record.status, 'download its result');
    return resultCsv(record.result);
  }

  /**
   * A provider's org_admin or data_steward releases a result held for review; it is
   * released once every provider of the computation has released it.
   */
  async release(actor: Actor, id: string): Promise<ComputationView> {
    await this.uow.run(async (em) => {
      const { record, useCase } = await this.loadVisible(actor, id, em, true);
      const target = subject('Computation', { teamUserIds: useCase.teamUserIds, providerOrganisationIds: record.providerOrganisationIds });
      authorize(this.abilities.createForActor(actor), 'release', target, 'Only a provider may release this result');
      if (record.status !== 'pending_release') throw new WrongState('Computation', record.status, 'release');
      await computationStore.recordRelease(em, id, actor.organisationId, actor.id);
      const released = new Set([...record.releasedBy, actor.organisationId]);
      const complete = record.providerOrganisationIds.every((o) => released.has(o));
      if (complete) await computationStore.transition(em, id, ['pending_release'], 'released', { released_at: NOW });
      await this.audit.append(em, {
        actorId: actor.id,
        action: complete ? 'computation.released' : 'computation.release_approved',
        subjectType: COMPUTATION_SUBJECT,
        subjectId: id,
        organisationIds: [useCase.requesterOrganisationId, ...record.providerOrganisationIds],
        data: { useCaseId: record.useCaseId, organisationId: actor.organisationId },
      });
    });
    return this.get(actor, id);
  }

  /** The team cancels a computation that has not started. */
  async cancel(actor: Actor, id: string): Promise<ComputationView> {
    await this.uow.run(async (em) => {
      const { record, useCase } = await this.loadVisible(actor, id, em, true);
      authorize(this.abilities.createForActor(actor), 'cancel', subject('Computation', this.subjectOf(useCase)), 'Only the use case team may cancel a computation');
      if (!(await computationStore.transition(em, id, ['queued'], 'cancelled', { finished_at: NOW }))) {
        throw new WrongState('Computation', record.status, 'cancel');
      }
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'computation.cancelled',
        subjectType: COMPUTATION_SUBJECT,
        subjectId: id,
        organisationIds: [useCase.requesterOrganisationId, ...record.providerOrganisationIds],
        data: { useCaseId: record.useCaseId },
      });
      await notifySettled(em, id);
    });
    return this.get(actor, id);
  }

  /** The privacy budget and computation allowance of a use case, for the team and the providers. */
  async budget(actor: Actor, useCaseId: string): Promise<BudgetView> {
    const useCase = await this.useCases.findVisible(actor, useCaseId);
    authorize(this.abilities.createForActor(actor), 'read', subject('Budget', this.subjectOf(useCase)), { notFound: 'Use case' });
    const { policy } = await this.policies.load(useCase);
    const usage = await computationStore.usage(this.db.manager, useCaseId);
    return {
      epsilonTotal: policy.privacy.mechanism === 'none' ? 0 : policy.privacy.epsilonTotal,
      epsilonSpent: usage.epsilonSpent,
      computationsMax: policy.maxComputations,
      computationsUsed: usage.used,
    };
  }

  private subjectOf(useCase: UseCaseSnapshot) {
    return { teamUserIds: useCase.teamUserIds, providerOrganisationIds: useCase.providerOrganisationIds };
  }

  private async loadVisible(actor: Actor, id: string, em: EntityManager = this.db.manager, lock = false) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFound('Computation');
    const record = await computationStore.find(em, id, lock);
    if (!record) throw new NotFound('Computation');
    const useCase = await this.useCases.snapshot(record.useCaseId, em);
    const target = { teamUserIds: useCase.teamUserIds, providerOrganisationIds: record.providerOrganisationIds };
    authorize(this.abilities.createForActor(actor), 'read', subject('Computation', target), { notFound: 'Computation' });
    return { record, useCase };
  }

  /** The team sees a result once released; the providers also while it waits for their review. */
  private view(actor: Actor, r: ComputationRecord, useCase: UseCaseSnapshot): ComputationView {
    // Who may release the result (a provider's org_admin or data steward) sees it while it waits for them.
    const provider = this.abilities.createForActor(actor).can('release', subject('Computation', { teamUserIds: useCase.teamUserIds, providerOrganisationIds: r.providerOrganisationIds }));
    const showResult = r.result && (r.status === 'released' || (r.status === 'pending_release' && provider));
    return {
      id: r.id,
      useCaseId: r.useCaseId,
      status: r.status,
      submittedBy: r.submittedBy,
      query: r.query,
      ...(showResult ? { result: r.result } : {}),
      ...(r.rejection ? { rejection: r.rejection } : {}),
      ...(r.failure ? { failure: r.failure } : {}),
      epsilon: r.epsilon,
      releaseMode: r.releaseMode,
      providerOrganisationIds: r.providerOrganisationIds,
      releasedBy: r.releasedBy,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
    };
  }
}
