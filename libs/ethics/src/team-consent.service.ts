import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotFound, PolicyViolation } from '@cadre/common';
import { authorize, subject } from '@cadre/access';
import { AuditService } from '@cadre/audit';
import { Actor, UsersService } from '@cadre/identity';
import { UnitOfWork } from '@cadre/jobs';
import type { UseCase } from './use-case.entity';
import { partiesOf, UseCaseStore } from './use-case.store';

export interface TeamAcceptanceView {
  useCaseId: string;
  userId: string;
  acceptedBy: string;
  acceptedAt: Date;
}

/**
 * Consent of the team: a researcher of another organisation than the requester's is
 * named on a team only with their consent (theirs, or their org_admin's). Until every
 * such member has accepted, the use case is not submitted or amended into review
 * (422 `team_consent_missing`), so nobody counts on a team they did not join.
 */
@Injectable()
export class TeamConsentService {
  constructor(
    private readonly store: UseCaseStore,
    private readonly users: UsersService,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  /** The named researcher, or an org_admin of their organisation, accepts. Idempotent. */
  async accept(actor: Actor, useCaseId: string, userId: string): Promise<TeamAcceptanceView> {
    return this.uow.run(async (em) => {
      const useCase = await this.store.lock(em, useCaseId).catch(() => null);
      if (!useCase || !useCase.teamUserIds.includes(userId)) throw new NotFound('Team member');
      const member = await this.users.findById(userId, em);
      // The researcher, or an org_admin of their organisation (rules in @cadre/access). The
      // requester knows its team (403); anyone else learns nothing about it: 404, as for an unknown id.
      const requester = actor.organisationId === useCase.requesterOrganisationId;
      authorize(
        this.store.abilityOf(actor),
        'accept',
        subject('TeamMembership', { userId, organisationId: member.organisationId }),
        requester ? 'Only the researcher or their organisation accepts' : { notFound: 'Team member' },
      );
      const rows: { accepted_by: string; accepted_at: Date }[] = await em.query(
        `INSERT INTO cadre.use_case_team_acceptances (use_case_id, user_id, accepted_by) VALUES ($1, $2, $3)
         ON CONFLICT (use_case_id, user_id) DO UPDATE SET use_case_id = EXCLUDED.use_case_id RETURNING accepted_by, accepted_at`,
        [useCaseId, userId, actor.id],
      );
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'use_case.team_member_accepted',
        subjectType: 'UseCase',
        subjectId: useCaseId,
        organisationIds: [...partiesOf(useCase), member.organisationId],
        data: { userId },
      });
      return { useCaseId, userId, acceptedBy: rows[0].accepted_by, acceptedAt: rows[0].accepted_at };
    });
  }

  /** 422 team_consent_missing unless every team member from another organisation has accepted. */
  async assertConsented(em: EntityManager, useCase: Pick<UseCase, 'id' | 'teamUserIds' | 'requesterOrganisationId'>): Promise<void> {
    if (!useCase.teamUserIds.length) return;
    const rows: { id: string }[] = await em.query(
      `SELECT u.id FROM cadre.users u
        WHERE u.id = ANY($1::uuid[]) AND u.organisation_id <> $2
          AND NOT EXISTS (SELECT 1 FROM cadre.use_case_team_acceptances a WHERE a.use_case_id = $3 AND a.user_id = u.id)`,
      [useCase.teamUserIds, useCase.requesterOrganisationId, useCase.id],
    );
    if (rows.length) {
      throw new PolicyViolation(
        'team_consent_missing',
        'Researchers of other organisations must accept to join the team (or their org_admin for them)',
        rows.map((r) => ({ field: 'teamUserIds', message: `user ${r.id} has not accepted` })),
      );
    }
  }
}
