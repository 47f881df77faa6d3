import type { ChainedEvent } from './audit-chain';

/** What a context records about a state change (see docs/internal-interfaces.md). */
export interface AuditEventInput {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  /** Organisations the event touches: their org_admins may read it. */
  organisationIds?: string[];
  /** Governance facts only (ids, states, counts of metadata) — never a vault value. */
  data?: Record<string, unknown>;
}

/** A stored event as services and routes see it: the chained event and its hash. */
export interface AuditEventView extends ChainedEvent {
  hash: string;
}

/** A signed statement of the chain head. */
export interface AuditCheckpointView {
  seq: number;
  headHash: string;
  jws: string;
  at: string;
}

/** The answer of a chain verification. */
export interface AuditVerification {
  valid: boolean;
  events: number;
  headHash: string;
  checkedAt: string;
  /** First seq at which the chain does not hold (a missing seq for a deletion). */
  brokenAtSeq?: number;
  reason?: string;
  /** The latest signed checkpoint, also checked against the chain. */
  checkpoint?: AuditCheckpointView;
}

export interface AuditEventFilter {
  subjectType?: string;
  subjectId?: string;
  /** The reader's visibility as SQL over alias `e` (see AuditReader); absent: all events. */
  scope?: { where: string; parameters: Record<string, unknown> };
  limit: number;
  offset: number;
}
