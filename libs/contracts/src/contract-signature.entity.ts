import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type SignatureMethod = 'platform' | 'organisation_key';

/** A party's signature of one version of a contract's terms. Voided, never deleted. */
@Entity({ name: 'contract_signatures' })
export class ContractSignature {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'contract_id', type: 'uuid' }) contractId: string;
  @Column({ name: 'organisation_id', type: 'uuid' }) organisationId: string;
  @Column({ name: 'signer_user_id', type: 'uuid' }) signerUserId: string;
  @Column({ type: 'text' }) method: SignatureMethod;
  /** Compact JWS: by the platform's key (method platform) or the organisation's own. */
  @Column({ type: 'text' }) jws: string;
  @Column({ name: 'key_id', type: 'text', nullable: true }) keyId: string | null;
  @Column({ name: 'terms_sha256', type: 'text' }) termsSha256: string;
  @Column({ name: 'signed_at', type: 'timestamptz' }) signedAt: Date;
  @Column({ name: 'voided_at', type: 'timestamptz', nullable: true }) voidedAt: Date | null;
  @Column({ name: 'void_reason', type: 'text', nullable: true }) voidReason: string | null;
}
