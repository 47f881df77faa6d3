import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ContractStatus, ContractTerms } from './contract-terms';

/** One provider's access contract for one use case. Never leaves the service layer. */
@Entity({ name: 'contracts' })
export class Contract {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'use_case_id', type: 'uuid' }) useCaseId: string;
  @Column({ name: 'provider_organisation_id', type: 'uuid' }) providerOrganisationId: string;
  @Column({ name: 'requester_organisation_id', type: 'uuid' }) requesterOrganisationId: string;
  @Column({ type: 'text' }) status: ContractStatus;
  /** The use case's contract with this provider now; replaced ones stay for the record. */
  @Column({ name: 'is_current', type: 'boolean' }) isCurrent: boolean;
  @Column({ type: 'jsonb' }) terms: ContractTerms;
  @Column({ name: 'terms_sha256', type: 'text' }) termsSha256: string;
  @Column({ name: 'terms_revision', type: 'int' }) termsRevision: number;
  @Column({ name: 'valid_until', type: 'timestamptz' }) validUntil: Date;
  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true }) activatedAt: Date | null;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ name: 'ended_by', type: 'uuid', nullable: true }) endedBy: string | null;
  @Column({ name: 'end_reason', type: 'text', nullable: true }) endReason: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
