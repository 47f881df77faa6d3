import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const COLLEGES = ['local_authorities', 'public_institutions', 'academia', 'health', 'private_sector'] as const;
export type College = (typeof COLLEGES)[number];
export type OrganisationStatus = 'active' | 'suspended';

@Entity({ name: 'organisations' })
export class Organisation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  @Column({ type: 'text' }) college: College | 'operator';
  @Column({ type: 'text', nullable: true }) siren: string | null;
  @Column({ type: 'text', default: 'active' }) status: OrganisationStatus;
  /** The platform operator's own organisation (created at bootstrap). */
  @Column({ name: 'is_operator', default: false }) isOperator: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
