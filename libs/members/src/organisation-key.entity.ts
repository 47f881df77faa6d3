import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The public members of an Ed25519 or P-256 JWK; never a private part. */
export interface PublicJwk {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
}

@Entity({ name: 'organisation_keys' })
export class OrganisationKey {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organisation_id', type: 'uuid' }) organisationId: string;
  /** RFC 7638 thumbprint of the key. */
  @Column() kid: string;
  @Column({ type: 'jsonb' }) jwk: PublicJwk;
  @Column({ name: 'created_by', type: 'uuid' }) createdBy: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** From then on the key signs nothing new; signatures made before stay verifiable. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}
