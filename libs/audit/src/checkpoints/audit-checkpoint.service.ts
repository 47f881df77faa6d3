import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit.service';
import type { AuditCheckpointView, AuditVerification } from '../audit-event';
import { CheckpointRecord, RECORD_SIGNER, RecordSigner } from '../record-signer';

/** Signed checkpoints of the chain head: what makes a rewritten or truncated tail detectable. */
@Injectable()
export class AuditCheckpointService {
  constructor(
    private readonly audit: AuditService,
    @Inject(RECORD_SIGNER) private readonly signer: RecordSigner,
  ) {}

  /** Signs and stores the current head unless it is already checkpointed; returns the new checkpoint, if any. */
  async checkpoint(): Promise<AuditCheckpointView | undefined> {
    const head = await this.audit.head();
    if (head.seq === 0) return undefined;
    const latest = await this.audit.latestCheckpoint();
    if (latest && latest.seq >= head.seq) return undefined;
    const record: CheckpointRecord = { type: 'cadre.audit.checkpoint', seq: head.seq, headHash: head.hash, at: new Date().toISOString() };
    const jws = await this.signer.sign(record);
    const stored = await this.audit.recordCheckpoint({ seq: head.seq, headHash: head.hash, jws });
    if (stored) await this.audit.markPublished({ seq: head.seq, headHash: head.hash });
    return stored ? { seq: head.seq, headHash: head.hash, jws, at: record.at } : undefined;
  }

  /**
   * The head to publish (GET /register/audit-head): the latest checkpoint, signed afresh
   * when the chain moved and the latest is older than `maxAgeSeconds`. The answer is
   * remembered outside the database, so a later truncation below it is detected.
   */
  async publishHead(maxAgeSeconds: number): Promise<AuditCheckpointView | undefined> {
    let latest = await this.audit.latestCheckpoint();
    if (!latest || Date.now() - Date.parse(latest.at) >= maxAgeSeconds * 1000) {
      await this.checkpoint();
      latest = await this.audit.latestCheckpoint();
    }
    if (latest) await this.audit.markPublished({ seq: latest.seq, headHash: latest.headHash });
    return latest;
  }

  /** Chain verification plus the signature of the latest checkpoint: a forged checkpoint makes the answer invalid. */
  async verify(): Promise<AuditVerification & { checkpoint?: AuditCheckpointView & { signatureValid: boolean } }> {
    const { checkpoint, ...result } = await this.audit.verify();
    if (!checkpoint) return result;
    const signature = await this.signer.verify(checkpoint.jws);
    const payload = signature.payload as Partial<CheckpointRecord> | undefined;
    const signatureValid =
      signature.valid && payload?.type === 'cadre.audit.checkpoint' && payload.seq === checkpoint.seq && payload.headHash === checkpoint.headHash;
    const verdict = { ...result, checkpoint: { ...checkpoint, signatureValid } };
    if (!signatureValid && result.valid) return { ...verdict, valid: false, brokenAtSeq: checkpoint.seq, reason: 'checkpoint_signature_invalid' };
    return verdict;
  }
}
