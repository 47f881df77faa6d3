export { USE_CASE_STATUSES, nextStatus, canTransition, statusesAllowing } from './use-case-status';
export type { UseCaseStatus, UseCaseEvent } from './use-case-status';
export { mergeConditions } from './conditions';
export type { DecisionConditions } from './conditions';
export type { UseCaseSnapshot, RequestedDataset, SignedDecision, DecisionRecord, DecisionOutcome, VoteDecision } from './use-case.types';
export { UseCaseLifecycle } from './use-case-lifecycle';
export type { ApprovedListener, ReopenedListener } from './use-case-lifecycle';
