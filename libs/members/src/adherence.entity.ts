import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An organisation's signed adherence to one charter version. */
@Entity({ name: 'charter_adherences' })
export class Adherence {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organisation_id', type: 'uuid' }) organisationId: string;
  @Column({ name: 'charter_id', type: 'uuid' }) charterId: string;
  @Column({ name: 'signed_by', type: 'uuid' }) signedBy: string;
  @Column({ name: 'signed_at', type: 'timestamptz' }) signedAt: Date;
  @Column({ type: 'text' }) signature: string;
}
