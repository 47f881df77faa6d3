import { AbilityFactory, authorize } from '@cadre/access';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotFound, Page, queryReturning, WrongState } from '@cadre/common';
import { AuditService } from '@cadre/audit';
import type { Actor } from '@cadre/identity';
import { UnitOfWork } from '@cadre/jobs';
import { Charter, CharterPrinciple, CharterStatus } from './charter.entity';
import { CharterVersionTaken } from './members.errors';

export interface CharterView {
  id: string;
  version: string;
  title: string;
  principles: CharterPrinciple[];
  status: CharterStatus;
  createdAt: Date;
  publishedAt: Date | null;
  supersededAt: Date | null;
}

const toView = (c: Charter): CharterView => ({
  id: c.id,
  version: c.version,
  title: c.title,
  principles: c.principles.map(({ code, title, text }) => ({ code, title, text })),
  status: c.status,
  createdAt: c.createdAt,
  publishedAt: c.publishedAt,
  supersededAt: c.supersededAt,
});

// Serialises publications: two drafts published at once must not both become current.
const PUBLISH_LOCK = 727_274_501;

/** Versions of the charter of the trust framework. */
@Injectable()
export class ChartersService {
  constructor(
    @InjectRepository(Charter) private readonly charters: Repository<Charter>,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly abilities: AbilityFactory,
  ) {}

  /** The operator drafts a new charter version. */
  async draft(actor: Actor, input: { version: string; title: string; principles: CharterPrinciple[] }): Promise<CharterView> {
    authorize(this.abilities.createForActor(actor), 'create', 'Charter', 'Only a platform administrator drafts the charter');
    return this.uow.run(async (em) => {
      const repo = em.getRepository(Charter);
      if (await repo.existsBy({ version: input.version })) throw new CharterVersionTaken();
      const charter = await repo.save(
        repo.create({ version: input.version, title: input.title, principles: input.principles, status: 'draft', createdBy: actor.id }),
      );
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'charter.drafted',
        subjectType: 'Charter',
        subjectId: charter.id,
        data: { version: charter.version },
      });
      return toView(charter);
    });
  }

  /** Publishes a draft: it becomes current and the previous current version is superseded (every member must adhere again). */
  async publish(actor: Actor, id: string): Promise<CharterView> {
    authorize(this.abilities.createForActor(actor), 'publish', 'Charter', 'Only a platform administrator publishes the charter');
    return this.uow.run(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
      const repo = em.getRepository(Charter);
      const charter = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!charter) throw new NotFound('Charter');
      if (charter.status !== 'draft') throw new WrongState('Charter', charter.status, 'publish');
      const superseded = await queryReturning<{ id: string; version: string }>(
        em,
        `UPDATE cadre.charters SET status = 'superseded', superseded_at = now() WHERE status = 'current' RETURNING id, version`,
      );
      await em.query(`UPDATE cadre.charters SET status = 'current', published_at = now() WHERE id = $1 AND status = 'draft'`, [id]);
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'charter.published',
        subjectType: 'Charter',
        subjectId: id,
        data: { version: charter.version, supersedes: superseded[0]?.version ?? null },
      });
      return toView((await repo.findOneByOrFail({ id }))!);
    });
  }

  /** The charter in force; NotFound when none has been published yet. */
  async current(): Promise<CharterView> {
    const charter = await this.charters.findOneBy({ status: 'current' });
    if (!charter) throw new NotFound('Current charter');
    return toView(charter);
  }

  async findOne(id: string): Promise<CharterView> {
    const charter = await this.charters.findOneBy({ id });
    if (!charter) throw new NotFound('Charter');
    return toView(charter);
  }

  async list(limit: number, offset: number): Promise<Page<CharterView>> {
    const [rows, total] = await this.charters.findAndCount({ order: { createdAt: 'DESC', id: 'ASC' }, take: limit, skip: offset });
    return { items: rows.map(toView), total };
  }
}
