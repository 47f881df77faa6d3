import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ColumnDescriptor, DatasetKind, DatasetLevel } from './column-schema';

@Entity({ name: 'datasets' })
export class Dataset {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organisation_id', type: 'uuid' }) organisationId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'text' }) kind: DatasetKind;
  @Column({ type: 'text', default: 'transaction' }) level: DatasetLevel;
  @Column({ type: 'jsonb' }) columns: ColumnDescriptor[];
  @Column({ name: 'current_version_id', type: 'uuid', nullable: true }) currentVersionId: string | null;
  /** Last version number handed out (to an upload, successful or not): table names never repeat. */
  @Column({ name: 'version_seq', type: 'int', default: 0 }) versionSeq: number;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
