import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { JWK } from 'jose';

export type SigningAlg = 'EdDSA' | 'ES256';

@Entity({ name: 'signing_keys' })
export class SigningKey {
  @PrimaryColumn() kid: string;
  @Column({ type: 'text' }) alg: SigningAlg;
  @Column({ name: 'public_jwk', type: 'jsonb' }) publicJwk: JWK;
  /** `v1.<base64url(iv | tag | ciphertext)>` of the private JWK: see key-crypto.ts. */
  @Column({ name: 'private_key_enc' }) privateKeyEnc: string;
  @Column({ type: 'text' }) status: 'active' | 'retired';
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true }) retiredAt: Date | null;
}
