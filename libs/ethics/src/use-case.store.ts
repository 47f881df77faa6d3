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

/** The columns of a use case's view, as plain SQL over alias `u` (the snapshot's and the list's). */
const VIEW_COLUMNS = `u.id, u.status, u.title, u.purpose, u.public_interest, u.requester_organisation_id, u.team_user_ids::text[] AS team_user_ids,
  u.requested_datasets, u.provider_organisation_ids::text[] AS provider_organisation_ids, u.conditions, u.starts_at, u.ends_at,
  u.review_round, u.submitted_at, u.created_at, u.updated_at`;

/** A row of the list: the use case, the page's total and its latest decision. */
interface ListRow extends SnapshotRow {
  public_interest: string;
  review_round: number;
  submitted_at: Date | null;
  created_at: Date;
  updated_at: Date;
  total: string;
  decision_record: UseCaseDecision['record'] | null;
  decision_signature: string | null;
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
const SNAPSHOT = prepared(`SELECT ${VIEW_COLUMNS} FROM cadre.use_cases u WHERE u.id = $1`);

function snapshotOf(u: SnapshotRow): UseCaseSnapshot {
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

/** A use case's full view: its snapshot, its review fields and its latest decision (the one shape of every view). */
function toView(
  snapshot: UseCaseSnapshot,
  u: Pick<UseCaseView, 'publicInterest' | 'reviewRound' | 'submittedAt' | 'createdAt' | 'updatedAt'>,
  decision: Pick<UseCaseDecision, 'record' | 'signature'> | null,
): UseCaseView {
  return {
    ...snapshot,
    publicInterest: u.publicInterest,
    reviewRound: u.reviewRound,
    submittedAt: u.submittedAt,
    decision: decision ? { ...decision.record, signature: decision.signature } : null,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

function toListView(r: ListRow): UseCaseView {
  const review = { publicInterest: r.public_interest, reviewRound: r.review_round, submittedAt: r.submitted_at, createdAt: r.created_at, updatedAt: r.updated_at };
  return toView(snapshotOf(r), review, r.decision_record ? { record: r.decision_record, signature: r.decision_signature! } : null);
}

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

  /**
   * A page of the use cases the actor may see, newest first, with the total and each one's
   * latest decision: one prepared statement (the hottest authenticated read). Its text
   * depends only on the shape of the actor's rules (the values are parameters), so each
   * shape is parsed and planned once per connection.
   */
  async page(actor: Actor, limit: number, offset: number, status?: UseCaseStatus): Promise<{ items: UseCaseView[]; total: number }> {
    const scope = accessCondition(this.abilityOf(actor), 'read', 'UseCase', USE_CASE_FIELDS);
    const where = status ? `(${scope.where}) AND u.status = :status` : scope.where;
    const [sql, parameters] = this.db.driver.escapeQueryWithParameters(
      `WITH page AS (SELECT ${VIEW_COLUMNS}, count(*) OVER () AS total FROM cadre.use_cases u WHERE ${where}
                      ORDER BY u.created_at DESC, u.id LIMIT :limit OFFSET :offset)
       SELECT page.*, d.record AS decision_record, d.signature AS decision_signature
         FROM page LEFT JOIN LATERAL (SELECT record, signature FROM cadre.use_case_decisions
                                       WHERE use_case_id = page.id ORDER BY round DESC LIMIT 1) d ON true
        ORDER BY page.created_at DESC, page.id`,
      { ...scope.parameters, ...(status ? { status } : {}), limit, offset },
      {},
    );
    const rows = (await runPrepared(this.db, prepared(sql), parameters)) as ListRow[];
    if (!rows.length && offset > 0) {
      // Past the last page: the total apart (rare).
      const counter = this.visibleTo(actor);
      if (status) counter.andWhere('u.status = :status', { status });
      return { items: [], total: await counter.getCount() };
    }
    if (!rows.length) return { items: [], total: 0 };
    return { items: rows.map(toListView), total: Number(rows[0].total) };
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
    return snapshotOf(rows[0]);
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

  /** The full view, with the latest decision (lists read theirs in `page`). */
  async view(useCase: UseCase, em: EntityManager = this.db.manager): Promise<UseCaseView> {
    const [decision] = await em.getRepository(UseCaseDecision).find({ where: { useCaseId: useCase.id }, order: { round: 'DESC' }, take: 1 });
    return toView(toSnapshot(useCase), useCase, decision ?? null);
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
