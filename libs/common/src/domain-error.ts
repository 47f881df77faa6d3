/**
 * What kind of refusal a domain error is. The problem filter maps each kind to one
 * HTTP status (STATUS_BY_KIND).
 */
export type DomainErrorKind =
  | 'invalid' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'policy' // 422
  | 'unavailable'; // 503

/**
 * Every code a DomainError may carry, with its kind: THE mapping code → kind (→ HTTP status).
 * The codes are public API (API.md, docs/api.md; the console words them): never rename one.
 * A closed list on purpose: a code missing here does not compile, so no code can reach a client
 * unmapped. It lives in the lowest lib because every context throws through DomainError;
 * adding a code is one line here, grouped by the context that throws it.
 */
export const ERROR_CODES = {
  // Any context
  invalid_input: 'invalid',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'not_found',
  wrong_state: 'conflict',
  retry: 'unavailable',
  // identity
  invalid_credentials: 'unauthenticated',
  invalid_refresh_token: 'unauthenticated',
  csrf_refused: 'forbidden',
  email_taken: 'conflict',
  last_platform_admin: 'conflict',
  // members
  charter_version_taken: 'conflict',
  already_adhered: 'conflict',
  key_already_registered: 'conflict',
  charter_not_current: 'policy',
  charter_not_adhered: 'policy',
  organisation_suspended: 'policy',
  operator_not_suspendable: 'policy',
  invalid_key: 'policy',
  // datasets
  dataset_name_taken: 'conflict',
  invalid_dataset_schema: 'policy',
  // ethics
  recused: 'forbidden',
  already_voted: 'conflict',
  invalid_team: 'policy',
  team_consent_missing: 'policy',
  unknown_dataset_or_column: 'policy',
  linkage_key_forbidden: 'policy',
  linkage_key_not_requestable: 'policy',
  dataset_unavailable: 'policy',
  // contracts
  already_signed: 'conflict',
  contract_window_over: 'conflict',
  terms_not_stricter: 'policy',
  invalid_signature: 'policy',
  column_not_granted: 'policy',
  // computations: submission (the planner)
  idempotency_key_reused: 'conflict',
  unknown_dataset: 'policy',
  unknown_column: 'policy',
  duplicate_alias: 'policy',
  duplicate_dataset: 'policy',
  dataset_not_in_use_case: 'policy',
  dataset_not_loaded: 'policy',
  invalid_join: 'policy',
  invalid_filter: 'policy',
  invalid_rate: 'policy',
  rate_grain_too_fine: 'policy',
  privacy_mechanism_mismatch: 'policy',
  epsilon_above_max: 'policy',
  delta_above_max: 'policy',
  duplicate_group_by: 'policy',
  column_not_groupable: 'policy',
  forbidden_group_by: 'policy',
  group_by_requires_domain: 'policy',
  too_many_cells: 'policy',
  measure_not_numeric: 'policy',
  sum_requires_bounds: 'policy',
  duplicate_measure: 'policy',
  mean_per_row_without_dp: 'policy',
  quantile_requires_dp: 'policy',
  quantile_without_margins: 'policy',
  // computations: rejections (REJECTION_CODES in @cadre/computations; 422 when found at submission)
  differencing_risk: 'policy',
  budget_exhausted: 'policy',
  max_computations: 'policy',
  contract_inactive: 'policy',
  use_case_inactive: 'policy',
  not_permitted: 'policy',
  policy_changed: 'policy',
} as const satisfies Record<string, DomainErrorKind>;

/** A code a DomainError may carry (a closed union: see ERROR_CODES). */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes of one kind: `ErrorCodeOf<'policy'>` is what a PolicyViolation may carry. */
export type ErrorCodeOf<K extends DomainErrorKind> = { [C in ErrorCode]: (typeof ERROR_CODES)[C] extends K ? C : never }[ErrorCode];

/** Every code, for clients and tests that list them (the console's words, docs). */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/**
 * Base of every error a service throws on purpose. `code` is stable and public
 * (clients branch on it); `detail` must never carry a raw value from the vault.
 */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;

  /** Derived from the code (ERROR_CODES), never declared apart from it. */
  get kind(): DomainErrorKind {
    return ERROR_CODES[this.code];
  }

  constructor(
    readonly detail: string,
    readonly errors?: { field: string; message: string }[],
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

/** A record that does not exist or that the caller may not see (never tell which). */
export class NotFound extends DomainError {
  readonly code = 'not_found';
  constructor(what: string) {
    super(`${what} not found`);
  }
}

/** The caller is authenticated but not allowed to do this. */
export class Forbidden extends DomainError {
  constructor(
    detail = 'You are not allowed to do this',
    readonly code: ErrorCodeOf<'forbidden'> = 'forbidden',
  ) {
    super(detail);
  }
}

/** The action is illegal in the record's current state. */
export class WrongState extends DomainError {
  readonly code = 'wrong_state';
  constructor(what: string, state: string, action: string) {
    super(`${what} is ${state}: cannot ${action}`);
  }
}

/** Well-formed input refused by a rule of the platform (422), with a stable code. */
export class PolicyViolation extends DomainError {
  constructor(
    readonly code: ErrorCodeOf<'policy'>,
    detail: string,
    errors?: { field: string; message: string }[],
  ) {
    super(detail, errors);
  }
}

/** Input that is not well-formed (400), for checks class-validator cannot express. */
export class InvalidInput extends DomainError {
  readonly code = 'invalid_input';
  constructor(detail: string, errors?: { field: string; message: string }[]) {
    super(detail, errors);
  }
}

/** Missing, bad or expired credentials (401). */
export class Unauthenticated extends DomainError {
  constructor(
    detail = 'Missing or invalid credentials',
    readonly code: ErrorCodeOf<'unauthenticated'> = 'unauthenticated',
  ) {
    super(detail);
  }
}
