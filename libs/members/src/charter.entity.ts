import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type CharterStatus = 'draft' | 'current' | 'superseded';

export interface CharterPrinciple {
  code: string;
  title: string;
  text: string;
}

@Entity({ name: 'charters' })
export class Charter {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() version: string;
  @Column() title: string;
  @Column({ type: 'jsonb' }) principles: CharterPrinciple[];
  @Column({ type: 'text', default: 'draft' }) status: CharterStatus;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt: Date | null;
  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true }) supersededAt: Date | null;
}
