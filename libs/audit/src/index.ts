export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export { AuditHttpModule } from './http/audit-http.module';
export { AuditCheckpointModule } from './checkpoints/audit-checkpoint.module';
export { AuditCheckpointService } from './checkpoints/audit-checkpoint.service';
export { GENESIS_HASH, hashEvent, ChainVerifier } from './audit-chain';
export type { ChainedEvent, ChainBreak, ChainCheckpointRef } from './audit-chain';
export type { RecordSigner, AuditSignerOptions } from './record-signer';
export type { AuditEventInput, AuditEventView, AuditCheckpointView, AuditVerification, AuditEventFilter } from './audit-event';
