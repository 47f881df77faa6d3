import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@cadre/config';
import { authorize } from '@cadre/access';
import { AuditService } from '@cadre/audit';
import { Actor, Signer } from '@cadre/identity';
import { UnitOfWork } from '@cadre/jobs';
import { MembershipPolicy } from '@cadre/members';
import { DecisionConditions, mergeConditions } from './conditions';
import { AlreadyVoted, Recused } from './ethics.errors';
import { UseCaseAmendment, UseCaseDecision, UseCaseVote } from './review.entities';
import { UseCase } from './use-case.entity';
import { TeamConsentService } from './team-consent.service';
import { UseCaseLifecycle } from './use-case-lifecycle';
import { nextStatus } from './use-case-status';
import { UseCaseInput, UseCasesService } from './use-cases.service';
import { toSnapshot, UseCaseStore, UseCaseView, useCaseSubject } from './use-case.store';
import type { DecisionOutcome, DecisionRecord, SignedDecision, VoteDecision } from './use-case.types';

export interface VoteInput {
  decision: VoteDecision;
  comment?: string;
  conditions?: DecisionConditions;
  /** Replace the carried-over conditions instead of tightening them (with the reason). */
  replaceConditions?: { reason: string };
}

export interface VoteView {
  id: string;
  useCaseId: string;
  round: number;
  decision: VoteDecision;
  comment: string | null;
  conditions: DecisionConditions | null;
  castAt: Date;
  /** The use case's status after this vote (a decision may have been taken). */
  useCaseStatus: UseCase['status'];
  /** The outcome of the round if this vote completed the quorum. */
  outcome: DecisionOutcome | null;
}

/**
 * Tallies a review round: the option with strictly the most votes wins; any tie
 * (including approve / reject / request_changes one each) sends the use case back
 * for changes rather than deciding either way.
 */
export function tally(votes: VoteDecision[]): DecisionOutcome {
  const counts = { approve: 0, reject: 0, request_changes: 0 };
  for (const v of votes) counts[v]++;
  const ranked = (Object.entries(counts) as [VoteDecision, number][]).sort((a, b) => b[1] - a[1]);
  if (ranked[0][1] === ranked[1][1]) return 'changes_requested';
  return ({ approve: 'approved', reject: 'rejected', request_changes: 'changes_requested' } as const)[ranked[0][0]];
}

/** The ethics review: committee votes, signed decisions, amendments. */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly store: UseCaseStore,
    private readonly useCases: UseCasesService,
    private readonly membership: MembershipPolicy,
    private readonly lifecycle: UseCaseLifecycle,
    private readonly signer: Signer,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly teamConsent: TeamConsentService,
  ) {}

  /** A committee member votes in the current round; at quorum the round is decided, signed, and (if approved) contracts are drafted. */
  async vote(actor: Actor, useCaseId: string, input: VoteInput): Promise<{ vote: VoteView; useCase: UseCaseView }> {
    const ability = this.store.abilityOf(actor);
    authorize(ability, 'vote', 'UseCase', 'Only members of the ethics committee vote');
    return this.uow.run(async (em) => {
      // No visibility filter here: the committee may learn that a draft exists (409) —
      // voting is refused on it all the same, and ids are unguessable.
      const useCase = await this.store.lock(em, useCaseId);
      nextStatus(useCase.status, 'vote');
      // Recusal rules live in @cadre/access: affiliated with the requester or a provider.
      if (!ability.can('vote', useCaseSubject(useCase))) throw new Recused();
      const replaceReason = input.decision === 'approve' ? (input.replaceConditions?.reason ?? null) : null;
      const inserted: { id: string; cast_at: Date }[] = await em.query(
        `INSERT INTO cadre.use_case_votes (use_case_id, round, voter_id, voter_organisation_id, decision, comment, conditions, replace_conditions_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (use_case_id, round, voter_id) DO NOTHING RETURNING id, cast_at`,
        [useCase.id, useCase.reviewRound, actor.id, actor.organisationId, input.decision, input.comment ?? null, input.conditions ? JSON.stringify(input.conditions) : null, replaceReason],
      );
      if (!inserted.length) throw new AlreadyVoted();
      // Sealed ballot: the event touches no party organisation, so only the operator reads it
      // (and the committee sees votes through the decision); the parties learn the outcome.
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'use_case.vote_cast',
        subjectType: 'UseCase',
        subjectId: useCase.id,
        organisationIds: [],
        data: { round: useCase.reviewRound, decision: input.decision },
      });

      // Only the votes of members who sit on the committee now count (and are signed).
      const votes = await this.countedVotes(em, useCase.id, useCase.reviewRound);
      let decided: DecisionOutcome | null = null;
      if (votes.length >= this.config.ethicsQuorum) {
        decided = tally(votes.map((v) => v.decision));
        await this.decide(em, actor, useCase, votes, decided);
      }
      const vote: VoteView = {
        id: inserted[0].id,
        useCaseId: useCase.id,
        round: useCase.reviewRound,
        decision: input.decision,
        comment: input.comment ?? null,
        conditions: input.conditions ?? null,
        castAt: inserted[0].cast_at,
        useCaseStatus: useCase.status,
        outcome: decided,
      };
      return { vote, useCase: await this.store.view(useCase, em) };
    });
  }

  /** The round's votes cast by members who are on the committee now, oldest first. */
  private async countedVotes(em: EntityManager, useCaseId: string, round: number): Promise<UseCaseVote[]> {
    return em
      .getRepository(UseCaseVote)
      .createQueryBuilder('v')
      .where('v.useCaseId = :useCaseId AND v.round = :round', { useCaseId, round })
      .andWhere(`EXISTS (SELECT 1 FROM cadre.users u WHERE u.id = v.voter_id AND 'ethics_committee' = ANY(u.platform_roles) AND u.deactivated_at IS NULL)`)
      .orderBy('v.castAt', 'ASC')
      .addOrderBy('v.id', 'ASC')
      .getMany();
  }

  private async decide(em: EntityManager, actor: Actor, useCase: UseCase, votes: UseCaseVote[], outcome: DecisionOutcome): Promise<void> {
    const previousConditions = useCase.conditions ?? {};
    const approving = votes.filter((v) => v.decision === 'approve');
    const voted = mergeConditions(approving.map((v) => v.conditions ?? {}));
    // Conditions carry over and only tighten, unless every approving vote explicitly replaces them.
    const replaced = outcome === 'approved' && approving.length > 0 && approving.every((v) => v.replaceConditionsReason);
    const conditions = outcome !== 'approved' ? previousConditions : replaced ? voted : mergeConditions([previousConditions, voted]);
    const decidedAt = new Date();
    const record: DecisionRecord = {
      type: 'cadre.ethics_decision',
      useCaseId: useCase.id,
      round: useCase.reviewRound,
      outcome,
      votes: votes.map((v) => ({
        voterId: v.voterId,
        decision: v.decision,
        comment: v.comment,
        conditions: v.conditions,
        ...(v.replaceConditionsReason ? { replaceConditionsReason: v.replaceConditionsReason } : {}),
        castAt: v.castAt.toISOString(),
      })),
      conditions,
      previousConditions,
      ...(replaced ? { conditionsReplaced: { reasons: approving.map((v) => v.replaceConditionsReason as string) } } : {}),
      auditHead: await this.audit.headIn(em),
      decidedAt: decidedAt.toISOString(),
    };
    const signature = await this.signer.sign(record);
    await em.getRepository(UseCaseDecision).insert({ useCaseId: useCase.id, round: useCase.reviewRound, outcome, record, signature, decidedAt });
    const event = ({ approved: 'approve', rejected: 'reject', changes_requested: 'request_changes' } as const)[outcome];
    await this.store.transition(em, useCase, event, actor.id, outcome === 'approved' ? { conditions } : {}, {
      round: useCase.reviewRound,
      conditions,
      ...(replaced ? { conditionsReplaced: true } : {}),
    });
    if (outcome === 'approved') {
      const decision: SignedDecision = { ...record, signature };
      await this.lifecycle.emitApproved(em, toSnapshot(useCase), decision);
    }
  }

  /** The owner amends an approved or active use case: back to review (computations stop until approved again). */
  async amend(actor: Actor, useCaseId: string, changes: Partial<UseCaseInput>, reason: string): Promise<UseCaseView> {
    return this.uow.run(async (em) => {
      const useCase = await this.store.findVisible(actor, useCaseId, em, true);
      this.useCases.assertOwner(actor, useCase, 'update');
      nextStatus(useCase.status, 'amend');
      await this.membership.assertCanAct(useCase.requesterOrganisationId, 'submit_use_case', em);
      await this.useCases.applyChanges(em, useCase, changes);
      await this.teamConsent.assertConsented(em, useCase);
      const round = useCase.reviewRound + 1;
      const repo = em.getRepository(UseCaseAmendment);
      const amendment = await repo.save(repo.create({ useCaseId: useCase.id, round, changes: serialisable(changes), reason, requestedBy: actor.id }));
      await this.store.transition(em, useCase, 'amend', actor.id, { reviewRound: round }, { round, amendmentId: amendment.id, fields: Object.keys(changes) });
      await this.lifecycle.emitReopened(em, toSnapshot(useCase));
      return this.store.view(useCase, em);
    });
  }
}

function serialisable(changes: Partial<UseCaseInput>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(changes)) as Record<string, unknown>;
}
