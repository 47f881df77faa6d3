import { WrongState } from '@cadre/common';

export const USE_CASE_STATUSES = [
  'draft',
  'under_review',
  'approved',
  'rejected',
  'changes_requested',
  'active',
  'suspended',
  'expired',
  'closed',
] as const;
export type UseCaseStatus = (typeof USE_CASE_STATUSES)[number];

/** Everything that can happen to a use case. */
export type UseCaseEvent =
  | 'edit'
  | 'submit'
  | 'vote'
  | 'approve'
  | 'reject'
  | 'request_changes'
  | 'activate'
  | 'suspend'
  | 'expire'
  | 'close'
  | 'amend';

/**
 * THE state machine of a use case (API.md, "Use cases and ethics review"): for each
 * event, the states it may happen in and the state it leads to. Nothing else in the
 * codebase decides whether a transition is legal.
 */
const TRANSITIONS: Record<UseCaseEvent, Partial<Record<UseCaseStatus, UseCaseStatus>>> = {
  edit: { draft: 'draft', changes_requested: 'changes_requested' },
  submit: { draft: 'under_review', changes_requested: 'under_review' },
  vote: { under_review: 'under_review' },
  approve: { under_review: 'approved' },
  reject: { under_review: 'rejected' },
  request_changes: { under_review: 'changes_requested' },
  // All contracts signed; a suspended use case comes back once its contracts are whole again.
  activate: { approved: 'active', suspended: 'active' },
  suspend: { active: 'suspended' },
  expire: { approved: 'expired', active: 'expired', suspended: 'expired' },
  close: { approved: 'closed', active: 'closed', suspended: 'closed' },
  // An amendment sends the project back to the committee: computations stop (not active).
  amend: { approved: 'under_review', active: 'under_review' },
};

/** The state `event` leads to from `from`; throws WrongState (409) when the transition is illegal. */
export function nextStatus(from: UseCaseStatus, event: UseCaseEvent): UseCaseStatus {
  const to = TRANSITIONS[event][from];
  if (!to) throw new WrongState('Use case', from, event.replace(/_/g, ' '));
  return to;
}

/** Whether `event` may happen in state `from`. */
export function canTransition(from: UseCaseStatus, event: UseCaseEvent): boolean {
  return TRANSITIONS[event][from] !== undefined;
}

/** The states in which `event` may happen, for guarded SQL (`UPDATE … WHERE status = ANY($1)`). */
export function statusesAllowing(event: UseCaseEvent): UseCaseStatus[] {
  return Object.keys(TRANSITIONS[event]) as UseCaseStatus[];
}

/** States whose use case appears in the public register. */
export const REGISTERED_STATUSES: readonly UseCaseStatus[] = ['approved', 'active', 'closed'];
