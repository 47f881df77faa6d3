import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { AbilityFactory, accessCondition, AppAbility, FieldMap, subject } from '@cadre/access';
import { NotFound, prepared, runPrepared, WrongState } from '@cadre/common';
import { AuditService } from '@cadre/audit';
import type { Actor } from '@cadre/identity';
import { UseCaseDecision } from './review.entities';
import { UseCase } from './use-case.entity';
import { nextStatus, UseCaseEvent, UseCaseStatus } from './use-case-status';
import type { SignedDecision, UseCaseSnapshot } from './use-case.types';

/** A use case as the API shows it to those who may see it. */
export interface UseCaseView extends UseCaseSnapshot {
  publicInterest: string;
  reviewRound: number;
  submittedAt: Date | null;
  decision: SignedDecision | null;
  createdAt: Date;
  updatedAt: Date;
}

/** How the UseCase subject's fields read in SQL, for structural scoping by @cadre/access rules. */
const USE_CASE_FIELDS: FieldMap<'UseCase'> = {
  organisationId: 'u.requester_organisation_id',
  providerOrganisationIds: { array: 'u.provider_organisation_ids' },
  teamUserIds: { array: 'u.team_user_ids' },
  status: 'u.status',
};

/** The CASL subject of a use case, with the fields the rules read. */
export function useCaseSubject(u: Pick<UseCase, 'requesterOrganisationId' | 'providerOrganisationIds' | 'teamUserIds' | 'status'>) {
  return subject('UseCase', {
    organisationId: u.requesterOrganisationId,
    providerOrganisationIds: [...u.providerOrganisationIds],
    teamUserIds: [...u.teamUserIds],
    status: u.status,
  });
}

export function toSnapshot(u: Pick<UseCase, keyof UseCaseSnapshot>): UseCaseSnapshot {
  return {
    id: u.id,
    status: u.status,
    title: u.title,
    purpose: u.purpose,
    requesterOrganisationId: u.requesterOrganisationId,
    teamUserIds: [...u.teamUserIds],
    requestedDatasets: u.requestedDatasets.map((d) => ({ datasetId: d.datasetId, columns: [...d.columns] })),
    providerOrganisationIds: [...u.providerOrganisationIds],
    conditions: { ...u.conditions },
    startsAt: u.startsAt,
    endsAt: u.endsAt,
  };
}

/** A use case row as the snapshot query reads it. */
interface SnapshotRow {
  id: string;
  status: UseCaseSnapshot['status'];
  title: string;
  purpose: string;
  requester_organisation_id: string;
  team_user_ids: string[];
  requested_datasets: UseCaseSnapshot['requestedDatasets'];
  provider_organisation_ids: string[];
  conditions: UseCaseSnapshot['conditions'];
  starts_at: Date;
  ends_at: Date;
}

/** Every submission reads it, and every run twice: prepared. */
const SNAPSHOT = prepared(
  `SELECT id, status, title, purpose, requester_organisation_id, team_user_ids::text[] AS team_user_ids, requested_datasets,
          provider_organisation_ids::text[] AS provider_organisation_ids, conditions, starts_at, ends_at
     FROM cadre.use_cases WHERE id = $1`,
);

/** Loading, locking and moving use cases through the one state machine (internal to ethics). */
@Injectable()
export class UseCaseStore {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly abilities: AbilityFactory,
  ) {}

  /** The actor's ability (rules in @cadre/access). */
  abilityOf(actor: Actor): AppAbility {
    return this.abilities.createForActor(actor);
  }

  /** The use cases the actor may read, as a query builder over alias `u` (a missing grant reads as nothing). */
  visibleTo(actor: Actor, em: EntityManager = this.db.manager): SelectQueryBuilder<UseCase> {
    const scope = accessCondition(this.abilityOf(actor), 'read', 'UseCase', USE_CASE_FIELDS);
    return em.getRepository(UseCase).createQueryBuilder('u').where(scope.where, scope.parameters);
  }

  get manager(): EntityManager {
    return this.db.manager;
  }

  /** The use case if the actor may see it, else NotFound (never tell which). */
  async findVisible(actor: Actor, id: string, em: EntityManager = this.db.manager, lock = false): Promise<UseCase> {
    const qb = this.visibleTo(actor, em).andWhere('u.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write');
    const found = isUuid(id) ? await qb.getOne() : null;
    if (!found) throw new NotFound('Use case');
    return found;
  }

  /** The use case, locked for the rest of the caller's transaction, with no visibility filter (trusted callers). */
  async lock(em: EntityManager, id: string): Promise<UseCase> {
    const found = isUuid(id) ? await em.getRepository(UseCase).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!found) throw new NotFound('Use case');
    return found;
  }

  /**
   * The snapshot of a use case, read as plain SQL: every submission reads it, and every run
   * twice (before the query and under the storing transaction's locks).
   */
  async snapshot(id: string, em: EntityManager = this.db.manager): Promise<UseCaseSnapshot> {
    const rows = isUuid(id) ? ((await runPrepared(em, SNAPSHOT, [id])) as SnapshotRow[]) : [];
    if (!rows.length) throw new NotFound('Use case');
    const u = rows[0];
    return toSnapshot({
      id: u.id,
      status: u.status,
      title: u.title,
      purpose: u.purpose,
      requesterOrganisationId: u.requester_organisation_id,
      teamUserIds: u.team_user_ids,
      requestedDatasets: u.requested_datasets,
      providerOrganisationIds: u.provider_organisation_ids,
      conditions: u.conditions,
      startsAt: u.starts_at,
      endsAt: u.ends_at,
    });
  }

  /**
   * Applies `event` to a locked use case: the state machine decides the target state,
   * the UPDATE is guarded on the state read, and the audit event joins the transaction.
   */
  async transition(
    em: EntityManager,
    useCase: UseCase,
    event: UseCaseEvent,
    actorId: string | null,
    patch: Partial<Pick<UseCase, 'reviewRound' | 'submittedAt' | 'conditions'>> = {},
    data: Record<string, unknown> = {},
  ): Promise<UseCase> {
    const from = useCase.status;
    const to = nextStatus(from, event);
    const result = await em
      .createQueryBuilder()
      .update(UseCase)
      .set({ ...patch, status: to })
      .where('id = :id AND status = :from', { id: useCase.id, from })
      .execute();
    if (result.affected !== 1) throw new WrongState('Use case', 'changed meanwhile', event);
    Object.assign(useCase, patch, { status: to });
    await this.audit.append(em, {
      actorId,
      action: `use_case.${AUDIT_ACTION[event]}`,
      subjectType: 'UseCase',
      subjectId: useCase.id,
      organisationIds: partiesOf(useCase),
      data: { from, to, ...data },
    });
    return useCase;
  }

  /** The full view, with the latest decision. */
  async view(useCase: UseCase, em: EntityManager = this.db.manager): Promise<UseCaseView> {
    return (await this.views([useCase], em))[0];
  }

  /** Full views of several use cases, with their latest decisions read in one query. */
  async views(useCases: UseCase[], em: EntityManager = this.db.manager): Promise<UseCaseView[]> {
    if (!useCases.length) return [];
    const latest: UseCaseDecision[] = await em
      .getRepository(UseCaseDecision)
      .createQueryBuilder('d')
      .distinctOn(['d.use_case_id'])
      .where('d.use_case_id IN (:...ids)', { ids: useCases.map((u) => u.id) })
      .orderBy('d.use_case_id')
      .addOrderBy('d.round', 'DESC')
      .getMany();
    const byUseCase = new Map(latest.map((d) => [d.useCaseId, d]));
    return useCases.map((useCase) => {
      const decision = byUseCase.get(useCase.id);
      return {
        ...toSnapshot(useCase),
        publicInterest: useCase.publicInterest,
        reviewRound: useCase.reviewRound,
        submittedAt: useCase.submittedAt,
        decision: decision ? { ...decision.record, signature: decision.signature } : null,
        createdAt: useCase.createdAt,
        updatedAt: useCase.updatedAt,
      };
    });
  }
}

const AUDIT_ACTION: Record<UseCaseEvent, string> = {
  edit: 'edited',
  submit: 'submitted',
  vote: 'vote_cast',
  approve: 'approved',
  reject: 'rejected',
  request_changes: 'changes_requested',
  activate: 'activated',
  suspend: 'suspended',
  expire: 'expired',
  close: 'closed',
  amend: 'amended',
};

/** Organisations an audit event about the use case touches: the requester and every provider. */
export function partiesOf(u: Pick<UseCase, 'requesterOrganisationId' | 'providerOrganisationIds'>): string[] {
  return [...new Set([u.requesterOrganisationId, ...u.providerOrganisationIds])];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export type { UseCaseStatus };
