import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotFound } from '@cadre/common';
import type { Page } from '@cadre/common';
import { authorize } from '@cadre/access';
import { AuditService } from '@cadre/audit';
import type { Actor } from '@cadre/identity';
import { UnitOfWork } from '@cadre/jobs';
import { MembershipPolicy } from '@cadre/members';
import { UseCase } from './use-case.entity';
import { TeamConsentService } from './team-consent.service';
import { UseCaseRequestValidator } from './use-case-request.validator';
import { nextStatus, UseCaseStatus } from './use-case-status';
import { partiesOf, UseCaseStore, UseCaseView, useCaseSubject } from './use-case.store';
import type { RequestedDataset, UseCaseSnapshot } from './use-case.types';

/** What an owner writes: the whole request at creation, any part of it on edit or amendment. */
export interface UseCaseInput {
  title: string;
  purpose: string;
  publicInterest: string;
  requestedDatasets: RequestedDataset[];
  teamUserIds: string[];
  startsAt: Date;
  endsAt: Date;
}

/** Use cases: the requests members make to use each other's data. */
@Injectable()
export class UseCasesService {
  constructor(
    private readonly store: UseCaseStore,
    private readonly validator: UseCaseRequestValidator,
    private readonly membership: MembershipPolicy,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly teamConsent: TeamConsentService,
  ) {}

  /** A researcher or org_admin of a member in good standing drafts a use case. */
  async create(actor: Actor, input: UseCaseInput): Promise<UseCaseView> {
    const draft = { requesterOrganisationId: actor.organisationId, providerOrganisationIds: [], teamUserIds: [], status: 'draft' as const };
    authorize(this.store.abilityOf(actor), 'create', useCaseSubject(draft), 'Only a researcher or an organisation administrator may request a use case');
    await this.membership.assertCanAct(actor.organisationId, 'submit_use_case');
    const { providerOrganisationIds } = await this.validator.validate(input);
    return this.uow.run(async (em) => {
      const repo = em.getRepository(UseCase);
      const useCase = await repo.save(
        repo.create({
          ...pick(input),
          requesterOrganisationId: actor.organisationId,
          createdBy: actor.id,
          providerOrganisationIds,
          status: 'draft',
          reviewRound: 0,
          submittedAt: null,
          conditions: {},
        }),
      );
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'use_case.created',
        subjectType: 'UseCase',
        subjectId: useCase.id,
        organisationIds: partiesOf(useCase),
        data: { to: 'draft', title: useCase.title },
      });
      return this.store.view(useCase, em);
    });
  }

  /** The owner edits a draft or a use case sent back for changes. */
  async update(actor: Actor, id: string, changes: Partial<UseCaseInput>): Promise<UseCaseView> {
    return this.uow.run(async (em) => {
      const useCase = await this.store.findVisible(actor, id, em, true);
      this.assertOwner(actor, useCase, 'update');
      nextStatus(useCase.status, 'edit'); // 409 before any validation work
      await this.applyChanges(em, useCase, changes);
      await this.store.transition(em, useCase, 'edit', actor.id, {}, { fields: Object.keys(changes) });
      return this.store.view(useCase, em);
    });
  }

  /** The owner submits to the ethics committee: a new review round opens. */
  async submit(actor: Actor, id: string): Promise<UseCaseView> {
    return this.uow.run(async (em) => {
      const useCase = await this.store.findVisible(actor, id, em, true);
      this.assertOwner(actor, useCase, 'submit');
      nextStatus(useCase.status, 'submit');
      await this.membership.assertCanAct(useCase.requesterOrganisationId, 'submit_use_case', em);
      // The catalogue and the members may have changed since the draft: check the request again.
      const { providerOrganisationIds } = await this.validator.validate(useCase);
      if (!sameSet(providerOrganisationIds, useCase.providerOrganisationIds)) {
        await em.getRepository(UseCase).update({ id }, { providerOrganisationIds });
        useCase.providerOrganisationIds = providerOrganisationIds;
      }
      await this.teamConsent.assertConsented(em, useCase);
      const round = useCase.reviewRound + 1;
      await this.store.transition(em, useCase, 'submit', actor.id, { reviewRound: round, submittedAt: useCase.submittedAt ?? new Date() }, { round });
      return this.store.view(useCase, em);
    });
  }

  /** Applies a partial request to a locked use case, re-validating the whole request (shared with amendments). */
  async applyChanges(em: EntityManager, useCase: UseCase, changes: Partial<UseCaseInput>): Promise<void> {
    const next = { ...pick(useCase), ...stripUndefined(pick(changes)) } as UseCaseInput;
    const { providerOrganisationIds } = await this.validator.validate(next);
    Object.assign(useCase, next, { providerOrganisationIds });
    await em.getRepository(UseCase).update({ id: useCase.id }, { ...next, providerOrganisationIds });
  }

  /** 403 unless the actor speaks for the requesting organisation (its researchers and org_admins). */
  assertOwner(actor: Actor, useCase: UseCase, action: 'update' | 'submit'): void {
    authorize(this.store.abilityOf(actor), action, useCaseSubject(useCase), 'Only the requesting organisation may do this');
  }

  /** One use case the actor may see. */
  async get(actor: Actor, id: string): Promise<UseCaseView> {
    return this.store.view(await this.store.findVisible(actor, id));
  }

  /** The use cases the actor may see, newest first. */
  async list(actor: Actor, limit: number, offset: number, status?: UseCaseStatus): Promise<Page<UseCaseView>> {
    return this.store.page(actor, limit, offset, status);
  }

  /** The snapshot of a use case with no visibility filter: for trusted callers (worker, contracts). */
  async snapshot(useCaseId: string, em?: EntityManager): Promise<UseCaseSnapshot> {
    return this.store.snapshot(useCaseId, em);
  }

  /**
   * The snapshot if the actor may see the use case, else NotFound (404): the read rules of
   * @cadre/access checked on the snapshot (one prepared statement; every submission reads
   * it), the same rules `visibleTo` applies in SQL to lists.
   */
  async findVisible(actor: Actor, id: string): Promise<UseCaseSnapshot> {
    const snapshot = await this.store.snapshot(id);
    if (!this.store.abilityOf(actor).can('read', useCaseSubject(snapshot))) throw new NotFound('Use case');
    return snapshot;
  }

  /**
   * Contracts move the use case: 'active' once all its contracts are signed (from
   * approved, or back from suspended), 'suspended' when an active one's contract ends.
   * Idempotent when already there; WrongState (409) for any other state. Runs in the
   * caller's transaction.
   */
  async setStatusFromContracts(em: EntityManager, useCaseId: string, status: 'active' | 'suspended', actorId: string | null): Promise<void> {
    const useCase = await this.store.lock(em, useCaseId);
    if (useCase.status === status) return;
    await this.store.transition(em, useCase, status === 'active' ? 'activate' : 'suspend', actorId, {}, { cause: 'contracts' });
  }
}

function pick(input: Partial<UseCaseInput>): Partial<UseCaseInput> {
  const { title, purpose, publicInterest, requestedDatasets, teamUserIds, startsAt, endsAt } = input;
  return { title, purpose, publicInterest, requestedDatasets, teamUserIds, startsAt, endsAt };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
