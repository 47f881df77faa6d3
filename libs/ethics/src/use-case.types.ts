import type { DecisionConditions } from './conditions';
import type { UseCaseStatus } from './use-case-status';

export interface RequestedDataset {
  datasetId: string;
  columns: string[];
}

/** What trusted callers (contracts, computations, the worker) need to know about a use case. */
export interface UseCaseSnapshot {
  id: string;
  status: UseCaseStatus;
  title: string;
  /** The declared purpose (binds the contracts' terms). */
  purpose: string;
  requesterOrganisationId: string;
  teamUserIds: string[];
  requestedDatasets: RequestedDataset[];
  providerOrganisationIds: string[];
  /** The conditions of the latest approving decision ({} before any). */
  conditions: DecisionConditions;
  startsAt: Date;
  endsAt: Date;
}

export type VoteDecision = 'approve' | 'reject' | 'request_changes';
export type DecisionOutcome = 'approved' | 'rejected' | 'changes_requested';

/** The record the platform signs when a review round is decided. */
export interface DecisionRecord {
  type: 'cadre.ethics_decision';
  useCaseId: string;
  round: number;
  outcome: DecisionOutcome;
  votes: { voterId: string; decision: VoteDecision; comment: string | null; conditions: DecisionConditions | null; replaceConditionsReason?: string; castAt: string }[];
  conditions: DecisionConditions;
  /** The conditions in force before this round (carried over unless replaced). */
  previousConditions: DecisionConditions;
  /** Present when the round replaced the carried-over conditions instead of tightening them: every approving vote's reason. */
  conditionsReplaced?: { reasons: string[] };
  /** The audit chain's head when the decision was signed (seq and hash). */
  auditHead: { seq: number; headHash: string };
  decidedAt: string;
}

/** A decision as stored and returned: the record plus its compact JWS (payload = canonical JSON of the record). */
export interface SignedDecision extends DecisionRecord {
  signature: string;
}
