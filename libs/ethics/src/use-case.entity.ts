import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { DecisionConditions } from './conditions';
import type { RequestedDataset } from './use-case.types';
import type { UseCaseStatus } from './use-case-status';

@Entity({ name: 'use_cases' })
export class UseCase {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'requester_organisation_id', type: 'uuid' }) requesterOrganisationId: string;
  @Column({ name: 'created_by', type: 'uuid' }) createdBy: string;
  @Column() title: string;
  @Column() purpose: string;
  @Column({ name: 'public_interest' }) publicInterest: string;
  @Column({ name: 'requested_datasets', type: 'jsonb' }) requestedDatasets: RequestedDataset[];
  /** Owners of the requested datasets, derived from the catalogue whenever the request changes. */
  @Column({ name: 'provider_organisation_ids', type: 'uuid', array: true }) providerOrganisationIds: string[];
  @Column({ name: 'team_user_ids', type: 'uuid', array: true }) teamUserIds: string[];
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt: Date;
  @Column({ name: 'ends_at', type: 'timestamptz' }) endsAt: Date;
  @Column({ type: 'text', default: 'draft' }) status: UseCaseStatus;
  /** 0 until first submitted; each submission or amendment opens a new review round. */
  @Column({ name: 'review_round', type: 'int', default: 0 }) reviewRound: number;
  /** From then on the committee sees the use case. */
  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true }) submittedAt: Date | null;
  /** Conditions of the latest approving decision. */
  @Column({ type: 'jsonb', default: {} }) conditions: DecisionConditions;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
