import { AbilityFactory, authorize, subject } from '@cadre/access';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotFound, PolicyViolation } from '@cadre/common';
import { AuditService } from '@cadre/audit';
import { Actor, Signer } from '@cadre/identity';
import { UnitOfWork } from '@cadre/jobs';
import { Adherence } from './adherence.entity';
import { Charter } from './charter.entity';
import { AlreadyAdhered } from './members.errors';

export interface AdherenceView {
  id: string;
  organisationId: string;
  charterId: string;
  charterVersion: string;
  signedBy: string;
  signedAt: string;
  /** Compact JWS by the platform over the canonical JSON of the adherence record. */
  signature: string;
}

/** Members' signed adherences to the charter. */
@Injectable()
export class AdherencesService {
  constructor(
    @InjectRepository(Adherence) private readonly adherences: Repository<Adherence>,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly signer: Signer,
    private readonly abilities: AbilityFactory,
  ) {}

  /** An org_admin makes their organisation adhere to the current charter; the platform signs the record. */
  async adhere(actor: Actor, organisationId: string, charterId: string): Promise<AdherenceView> {
    authorize(this.abilities.createForActor(actor), 'create', subject('Adherence', { organisationId }), 'Only an administrator of this organisation may sign its adherence');
    return this.uow.run(async (em) => {
      const charter = await em.getRepository(Charter).findOne({ where: { id: charterId }, lock: { mode: 'pessimistic_read' } });
      if (!charter) throw new NotFound('Charter');
      if (charter.status !== 'current') {
        throw new PolicyViolation('charter_not_current', 'Only the current charter can be adhered to');
      }
      if (await em.getRepository(Adherence).existsBy({ organisationId, charterId })) throw new AlreadyAdhered();
      const id: string = (await em.query('SELECT gen_random_uuid() AS id'))[0].id;
      const signedAt = new Date();
      const record = {
        type: 'cadre.charter_adherence',
        id,
        organisationId,
        charterId,
        charterVersion: charter.version,
        signedBy: actor.id,
        signedAt: signedAt.toISOString(),
      };
      const signature = await this.signer.sign(record);
      const inserted = await em.query(
        `INSERT INTO cadre.charter_adherences (id, organisation_id, charter_id, signed_by, signed_at, signature)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organisation_id, charter_id) DO NOTHING RETURNING id`,
        [id, organisationId, charterId, actor.id, signedAt, signature],
      );
      if (!inserted.length) throw new AlreadyAdhered(); // a concurrent adherence won
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'charter.adhered',
        subjectType: 'Organisation',
        subjectId: organisationId,
        organisationIds: [organisationId],
        data: { charterId, version: charter.version, adherenceId: id },
      });
      return { ...record, signature };
    });
  }

  /** An organisation's adherences, newest first. */
  async listFor(organisationId: string): Promise<AdherenceView[]> {
    const known = await this.adherences.query(`SELECT 1 FROM cadre.organisations WHERE id = $1`, [organisationId]);
    if (!known.length) throw new NotFound('Organisation');
    const rows: { id: string; organisation_id: string; charter_id: string; version: string; signed_by: string; signed_at: Date; signature: string }[] =
      await this.adherences.query(
        `SELECT a.id, a.organisation_id, a.charter_id, c.version, a.signed_by, a.signed_at, a.signature
           FROM cadre.charter_adherences a JOIN cadre.charters c ON c.id = a.charter_id
          WHERE a.organisation_id = $1 ORDER BY a.signed_at DESC`,
        [organisationId],
      );
    return rows.map((r) => ({
      id: r.id,
      organisationId: r.organisation_id,
      charterId: r.charter_id,
      charterVersion: r.version,
      signedBy: r.signed_by,
      signedAt: r.signed_at.toISOString(),
      signature: r.signature,
    }));
  }
}
