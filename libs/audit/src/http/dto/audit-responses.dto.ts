import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditCheckpointView, AuditEventView, AuditVerification } from '../../audit-event';

export class AuditEventResponse {
  @ApiProperty({ example: 42 }) seq: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) actorId: string | null;
  @ApiProperty({ example: 'use_case.submitted' }) action: string;
  @ApiProperty({ example: 'UseCase' }) subjectType: string;
  @ApiProperty() subjectId: string;
  @ApiProperty({ type: [String], format: 'uuid' }) organisationIds: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ description: 'hex SHA-256 of prevHash ‖ canonical JSON of the event' }) hash: string;
  @ApiProperty({ description: 'hash of the previous event (64 zeros for the first)' }) prevHash: string;
}

export class AuditEventsPageResponse {
  @ApiProperty({ type: [AuditEventResponse] }) items: AuditEventResponse[];
  @ApiProperty() total: number;
}

export class AuditCheckpointResponse {
  @ApiProperty() seq: number;
  @ApiProperty() headHash: string;
  @ApiProperty({ description: 'compact JWS over {type, seq, headHash, at}, verifiable with /.well-known/jwks.json' }) jws: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() signatureValid: boolean;
}

export class AuditVerificationResponse {
  @ApiProperty() valid: boolean;
  @ApiProperty({ description: 'number of events checked' }) events: number;
  @ApiProperty() headHash: string;
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
  @ApiPropertyOptional({ description: 'first seq where the chain does not hold (the missing seq for a deletion)' }) brokenAtSeq?: number;
  @ApiPropertyOptional({ enum: ['seq_gap', 'prev_hash_mismatch', 'hash_mismatch', 'checkpoint_mismatch', 'truncated', 'checkpoint_signature_invalid'] })
  reason?: string;
  @ApiPropertyOptional({ type: AuditCheckpointResponse, description: 'the latest signed checkpoint of the chain head' })
  checkpoint?: AuditCheckpointResponse;
}

export function toAuditEventResponse(e: AuditEventView): AuditEventResponse {
  return {
    seq: e.seq,
    at: e.at,
    actorId: e.actorId,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    organisationIds: e.organisationIds,
    data: e.data,
    hash: e.hash,
    prevHash: e.prevHash,
  };
}

export function toAuditVerificationResponse(v: AuditVerification & { checkpoint?: AuditCheckpointView & { signatureValid: boolean } }): AuditVerificationResponse {
  return {
    valid: v.valid,
    events: v.events,
    headHash: v.headHash,
    checkedAt: v.checkedAt,
    ...(v.brokenAtSeq !== undefined ? { brokenAtSeq: v.brokenAtSeq, reason: v.reason } : {}),
    ...(v.checkpoint
      ? { checkpoint: { seq: v.checkpoint.seq, headHash: v.checkpoint.headHash, jws: v.checkpoint.jws, at: v.checkpoint.at, signatureValid: v.checkpoint.signatureValid } }
      : {}),
  };
}
