import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { DecisionConditions } from './conditions';
import type { DecisionOutcome, DecisionRecord, VoteDecision } from './use-case.types';

/** One committee member's vote in one review round. */
@Entity({ name: 'use_case_votes' })
export class UseCaseVote {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'use_case_id', type: 'uuid' }) useCaseId: string;
  @Column({ type: 'int' }) round: number;
  @Column({ name: 'voter_id', type: 'uuid' }) voterId: string;
  @Column({ name: 'voter_organisation_id', type: 'uuid' }) voterOrganisationId: string;
  @Column({ type: 'text' }) decision: VoteDecision;
  @Column({ type: 'text', nullable: true }) comment: string | null;
  @Column({ type: 'jsonb', nullable: true }) conditions: DecisionConditions | null;
  /** Set when this vote replaces the carried-over conditions instead of tightening them: the reason. */
  @Column({ name: 'replace_conditions_reason', type: 'text', nullable: true }) replaceConditionsReason: string | null;
  @CreateDateColumn({ name: 'cast_at', type: 'timestamptz' }) castAt: Date;
}

/** The signed outcome of a review round. */
@Entity({ name: 'use_case_decisions' })
export class UseCaseDecision {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'use_case_id', type: 'uuid' }) useCaseId: string;
  @Column({ type: 'int' }) round: number;
  @Column({ type: 'text' }) outcome: DecisionOutcome;
  @Column({ type: 'jsonb' }) record: DecisionRecord;
  @Column({ type: 'text' }) signature: string;
  @Column({ name: 'decided_at', type: 'timestamptz' }) decidedAt: Date;
}

/** A change the owner asked for after approval; it opened review round `round`. */
@Entity({ name: 'use_case_amendments' })
export class UseCaseAmendment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'use_case_id', type: 'uuid' }) useCaseId: string;
  @Column({ type: 'int' }) round: number;
  @Column({ type: 'jsonb' }) changes: Record<string, unknown>;
  @Column({ type: 'text' }) reason: string;
  @Column({ name: 'requested_by', type: 'uuid' }) requestedBy: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
