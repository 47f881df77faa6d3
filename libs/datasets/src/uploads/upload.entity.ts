import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { RowError } from '../ingestion/row-validator';
import { bigintAsNumber } from '../transformers';

export type UploadStatus = 'queued' | 'running' | 'succeeded' | 'failed';

@Entity({ name: 'uploads' })
export class Upload {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'dataset_id', type: 'uuid' }) datasetId: string;
  @Column({ type: 'text', default: 'queued' }) status: UploadStatus;
  /** The vault table this upload loads into (exists only if it succeeded). */
  @Column({ name: 'table_name', type: 'text' }) tableName: string;
  @Column({ name: 'rows_accepted', type: 'bigint', default: 0, transformer: bigintAsNumber }) rowsAccepted: number;
  /** The first errors (capped), each naming a line, a column and a rule — never a value. */
  @Column({ type: 'jsonb', default: () => `'[]'` }) errors: RowError[];
  @Column({ name: 'error_count', type: 'int', default: 0 }) errorCount: number;
  @Column({ name: 'content_sha256', type: 'text', nullable: true }) contentSha256: string | null;
  @Column({ name: 'version_id', type: 'uuid', nullable: true }) versionId: string | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
