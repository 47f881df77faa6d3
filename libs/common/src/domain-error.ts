/**
 * What kind of refusal a domain error is. The problem filter maps each kind to one
 * HTTP status, so a new error never needs an edit outside its own lib.
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
 * Base of every error a service throws on purpose. `code` is stable and public
 * (clients branch on it); `detail` must never carry a raw value from the vault.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: DomainErrorKind;

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
  readonly kind = 'not_found' as const;
  constructor(what: string) {
    super(`${what} not found`);
  }
}

/** The caller is authenticated but not allowed to do this. */
export class Forbidden extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor(
    detail = 'You are not allowed to do this',
    readonly code: string = 'forbidden',
  ) {
    super(detail);
  }
}

/** The action is illegal in the record's current state. */
export class WrongState extends DomainError {
  readonly code = 'wrong_state';
  readonly kind = 'conflict' as const;
  constructor(what: string, state: string, action: string) {
    super(`${what} is ${state}: cannot ${action}`);
  }
}

/** Well-formed input refused by a rule of the platform (422), with a stable code. */
export class PolicyViolation extends DomainError {
  readonly kind = 'policy' as const;
  constructor(
    readonly code: string,
    detail: string,
    errors?: { field: string; message: string }[],
  ) {
    super(detail, errors);
  }
}

/** Input that is not well-formed (400), for checks class-validator cannot express. */
export class InvalidInput extends DomainError {
  readonly code = 'invalid_input';
  readonly kind = 'invalid' as const;
  constructor(detail: string, errors?: { field: string; message: string }[]) {
    super(detail, errors);
  }
}

/** Missing, bad or expired credentials (401). */
export class Unauthenticated extends DomainError {
  readonly kind = 'unauthenticated' as const;
  constructor(
    detail = 'Missing or invalid credentials',
    readonly code: string = 'unauthenticated',
  ) {
    super(detail);
  }
}
