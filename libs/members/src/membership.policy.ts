import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { NotFound, PolicyViolation, prepared, runPrepared } from '@cadre/common';

/** What a member organisation may only do while active and adhering to the current charter. */
export type MemberAct = 'submit_use_case' | 'sign_contract' | 'upload_data' | 'act';

/** The standing of an organisation towards the trust framework. */
export interface MemberStanding {
  organisationId: string;
  status: 'active' | 'suspended';
  isOperator: boolean;
  adheresToCurrentCharter: boolean;
}

/**
 * The membership rule of the charter: a suspended organisation, or one that does not
 * adhere to the current charter version, submits no use case, signs no contract and
 * uploads no data. The operator organisation is exempt (it runs the platform).
 */
@Injectable()
export class MembershipPolicy {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Throws PolicyViolation (422) 'organisation_suspended' or 'charter_not_adhered'; NotFound for an unknown organisation. */
  async assertCanAct(organisationId: string, act: MemberAct, em: EntityManager = this.db.manager): Promise<void> {
    const standing = (await this.standingOf([organisationId], em))[0];
    if (!standing) throw new NotFound('Organisation');
    if (standing.isOperator) return;
    if (standing.status === 'suspended') {
      throw new PolicyViolation('organisation_suspended', `A suspended organisation cannot ${describe(act)}`);
    }
    if (!standing.adheresToCurrentCharter) {
      throw new PolicyViolation('charter_not_adhered', `The organisation must adhere to the current charter to ${describe(act)}`);
    }
  }

  /** Whether the organisation may act now (same rule as assertCanAct, without throwing). */
  async canAct(organisationId: string, em: EntityManager = this.db.manager): Promise<boolean> {
    const standing = (await this.standingOf([organisationId], em))[0];
    return !!standing && (standing.isOperator || (standing.status === 'active' && standing.adheresToCurrentCharter));
  }

  /** The standing of several organisations at once (unknown ids are absent). */
  async standingOf(organisationIds: string[], em: EntityManager = this.db.manager): Promise<MemberStanding[]> {
    if (!organisationIds.length) return [];
    const rows = (await runPrepared(em, STANDING, [organisationIds])) as { id: string; status: 'active' | 'suspended'; is_operator: boolean; adheres: boolean }[];
    return rows.map((r) => ({ organisationId: r.id, status: r.status, isOperator: r.is_operator, adheresToCurrentCharter: r.adheres }));
  }
}

/** Read several times by every computation (submission, run, storing): prepared. */
const STANDING = prepared(
  `SELECT o.id, o.status, o.is_operator,
          EXISTS (SELECT 1 FROM cadre.charter_adherences a JOIN cadre.charters c ON c.id = a.charter_id
                   WHERE a.organisation_id = o.id AND c.status = 'current') AS adheres
     FROM cadre.organisations o WHERE o.id = ANY((SELECT $1::uuid[])::uuid[])`, // an array parameter: see PreparedSql
);

function describe(act: MemberAct): string {
  return act === 'act' ? 'change anything (its users may only read)' : act.replace(/_/g, ' ');
}
