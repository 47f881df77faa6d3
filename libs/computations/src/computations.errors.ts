import { DomainError, ErrorCodeOf } from '@cadre/common';

/** An Idempotency-Key reused with a different query (409). */
export class IdempotencyKeyReused extends DomainError {
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('This Idempotency-Key was already used for a different query');
  }
}

/**
 * Rejection codes of a computation (API.md): stored on the computation, or a 422 when found at
 * submission. Each is a policy code of ERROR_CODES (@cadre/common), its one mapping to a status;
 * a code missing there does not compile. Public API: never rename one.
 */
export const REJECTION_CODES = [
  'differencing_risk',
  'budget_exhausted',
  'max_computations',
  'contract_inactive',
  'use_case_inactive',
  'not_permitted',
  'organisation_suspended',
  'charter_not_adhered',
  'too_many_cells',
  'policy_changed',
] as const satisfies readonly ErrorCodeOf<'policy'>[];

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** A refusal found while running: the computation becomes `rejected` with this code. */
export class ComputationRejected extends Error {
  constructor(
    readonly code: RejectionCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ComputationRejected';
  }
}
