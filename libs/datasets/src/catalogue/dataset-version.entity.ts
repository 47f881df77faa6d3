import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../transformers';

/** One loaded, immutable vault table of a dataset. */
@Entity({ name: 'dataset_versions' })
export class DatasetVersion {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'dataset_id', type: 'uuid' }) datasetId: string;
  @Column({ type: 'int' }) number: number;
  @Column({ name: 'table_name', type: 'text' }) tableName: string;
  @Column({ name: 'row_count', type: 'bigint', transformer: bigintAsNumber }) rowCount: number;
  @Column({ name: 'content_sha256', type: 'text' }) contentSha256: string;
  @Column({ name: 'upload_id', type: 'uuid', nullable: true }) uploadId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

