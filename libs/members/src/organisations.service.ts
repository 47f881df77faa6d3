import { AbilityFactory, authorize, subject } from '@cadre/access';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { NotFound, Page, PolicyViolation } from '@cadre/common';
import { AuditService } from '@cadre/audit';
import type { Actor } from '@cadre/identity';
import { UnitOfWork } from '@cadre/jobs';
import { College, Organisation, OrganisationStatus } from './organisation.entity';

/** An organisation as other contexts and the API see it. */
export interface OrganisationView {
  id: string;
  name: string;
  college: College | 'operator';
  siren: string | null;
  status: OrganisationStatus;
  isOperator: boolean;
  adheresToCurrentCharter: boolean;
  createdAt: Date;
}

const VIEW_SQL = `SELECT o.id, o.name, o.college, o.siren, o.status, o.is_operator, o.created_at,
       EXISTS (SELECT 1 FROM cadre.charter_adherences a JOIN cadre.charters c ON c.id = a.charter_id
                WHERE a.organisation_id = o.id AND c.status = 'current') AS adheres
  FROM cadre.organisations o`;

type ViewRow = { id: string; name: string; college: College | 'operator'; siren: string | null; status: OrganisationStatus; is_operator: boolean; created_at: Date; adheres: boolean };
const toView = (r: ViewRow): OrganisationView => ({
  id: r.id,
  name: r.name,
  college: r.college,
  siren: r.siren,
  status: r.status,
  isOperator: r.is_operator,
  adheresToCurrentCharter: r.adheres,
  createdAt: r.created_at,
});

/** Organisations of the platform (members in five colleges, plus the operator). */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectRepository(Organisation) private readonly organisations: Repository<Organisation>,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly abilities: AbilityFactory,
  ) {}

  /** Creates an organisation inside the caller's transaction (no audit: the caller writes it). */
  async create(em: EntityManager, input: Pick<Organisation, 'name' | 'college'> & Partial<Pick<Organisation, 'siren' | 'isOperator'>>): Promise<Organisation> {
    return em.getRepository(Organisation).save(em.getRepository(Organisation).create({ siren: null, isOperator: false, ...input }));
  }

  /** The operator admits a member organisation. */
  async admit(actor: Actor, input: { name: string; college: College; siren?: string }): Promise<OrganisationView> {
    authorize(this.abilities.createForActor(actor), 'create', 'Organisation', 'Only a platform administrator admits members');
    const id = await this.uow.run(async (em) => {
      const org = await this.create(em, { name: input.name, college: input.college, siren: input.siren ?? null });
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'organisation.admitted',
        subjectType: 'Organisation',
        subjectId: org.id,
        organisationIds: [org.id],
        data: { name: org.name, college: org.college },
      });
      return org.id;
    });
    return this.view(id);
  }

  /** The operator suspends or reinstates a member. */
  async setStatus(actor: Actor, id: string, status: OrganisationStatus): Promise<OrganisationView> {
    authorize(this.abilities.createForActor(actor), 'update', subject('Organisation', { id }), 'Only a platform administrator changes a member\'s status');
    await this.uow.run(async (em) => {
      const rows: { status: OrganisationStatus; is_operator: boolean }[] = await em.query(
        `SELECT status, is_operator FROM cadre.organisations WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!rows.length) throw new NotFound('Organisation');
      if (rows[0].is_operator) throw new PolicyViolation('operator_not_suspendable', 'The operator organisation cannot be suspended');
      if (rows[0].status === status) return;
      await em.query(`UPDATE cadre.organisations SET status = $2 WHERE id = $1`, [id, status]);
      await this.audit.append(em, {
        actorId: actor.id,
        action: status === 'suspended' ? 'organisation.suspended' : 'organisation.reinstated',
        subjectType: 'Organisation',
        subjectId: id,
        organisationIds: [id],
        data: { from: rows[0].status, to: status },
      });
    });
    return this.view(id);
  }

  /** One organisation with its standing; NotFound if unknown. */
  async view(id: string, em: EntityManager = this.organisations.manager): Promise<OrganisationView> {
    const rows: ViewRow[] = await em.query(`${VIEW_SQL} WHERE o.id = $1`, [id]);
    if (!rows.length) throw new NotFound('Organisation');
    return toView(rows[0]);
  }

  /** Every organisation, by name. */
  async list(limit: number, offset: number): Promise<Page<OrganisationView>> {
    const rows: ViewRow[] = await this.organisations.query(`${VIEW_SQL} ORDER BY o.name, o.id LIMIT $1 OFFSET $2`, [limit, offset]);
    const [{ count }] = await this.organisations.query(`SELECT count(*)::int AS count FROM cadre.organisations`);
    return { items: rows.map(toView), total: count };
  }

  /** Several organisations by id (unknown ids are absent). */
  async findByIds(ids: string[], em: EntityManager = this.organisations.manager): Promise<OrganisationView[]> {
    if (!ids.length) return [];
    const rows: ViewRow[] = await em.query(`${VIEW_SQL} WHERE o.id = ANY($1::uuid[])`, [ids]);
    return rows.map(toView);
  }

  /** The public names of several organisations, by id (unknown ids are absent): what the open register may show. */
  async namesOf(ids: string[], em: EntityManager = this.organisations.manager): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows: { id: string; name: string }[] = await em.query(`SELECT id, name FROM cadre.organisations WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async findById(id: string): Promise<Organisation> {
    const found = await this.organisations.findOneBy({ id });
    if (!found) throw new NotFound('Organisation');
    return found;
  }

  async findOperator(em: EntityManager = this.organisations.manager): Promise<Organisation | null> {
    return em.getRepository(Organisation).findOneBy({ isOperator: true });
  }
}
