export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export { GENESIS_HASH, hashEvent, ChainVerifier } from './audit-chain';
export type { ChainedEvent, ChainBreak } from './audit-chain';
export type { AuditEventInput, AuditEventView, AuditCheckpointView, AuditVerification, AuditEventFilter } from './audit-event';
