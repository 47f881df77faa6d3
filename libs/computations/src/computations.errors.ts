import { DomainError } from '@cadre/common';

/** An Idempotency-Key reused with a different query (409). */
export class IdempotencyKeyReused extends DomainError {
  readonly code = 'idempotency_key_reused';
  readonly kind = 'conflict' as const;
  constructor() {
    super('This Idempotency-Key was already used for a different query');
  }
}

/** Rejection codes of a computation (API.md): stored on the computation, never thrown to HTTP. */
export type RejectionCode =
  | 'differencing_risk'
  | 'budget_exhausted'
  | 'max_computations'
  | 'contract_inactive'
  | 'use_case_inactive'
  | 'not_permitted'
  | string;

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
