import type { Type } from '@nestjs/common';

/**
 * What audit needs from the platform's Signer (@cadre/identity). A port, not an import:
 * identity itself writes audit events, so audit must not depend on it. The apps pass
 * `Signer` in: `AuditCheckpointModule.register({ signer: Signer })`.
 */
export interface RecordSigner {
  sign(record: object): Promise<string>;
  verify(jws: string): Promise<{ valid: boolean; payload?: unknown }>;
}

export const RECORD_SIGNER = Symbol('cadre:audit:record-signer');

export interface AuditSignerOptions {
  /** The injectable class providing signatures (the platform Signer). */
  signer: Type<RecordSigner>;
}

/** The record a checkpoint signs. */
export interface CheckpointRecord {
  type: 'cadre.audit.checkpoint';
  seq: number;
  headHash: string;
  at: string;
}
