import { DomainError, PolicyViolation } from '@cadre/common';
import type { FieldProblem } from './terms-policy';

/** A PATCH that would grant more than the current terms (422), listing every loosened field. */
export class TermsNotStricter extends PolicyViolation {
  constructor(fields: FieldProblem[]) {
    super('terms_not_stricter', `Terms may only become stricter: ${fields.map((f) => f.field).join(', ')}`, fields);
  }
}

/** A JWS that does not verify with the organisation's keys, or covers other terms (422). */
export class InvalidSignature extends PolicyViolation {
  constructor(detail: string) {
    super('invalid_signature', detail, [{ field: 'jws', message: detail }]);
  }
}

/** The party has already signed the current terms (409). */
export class AlreadySigned extends DomainError {
  readonly code = 'already_signed';
  constructor() {
    super('This organisation has already signed the current terms of this contract');
  }
}

/** The contract's window is over: it can no longer be signed (409). */
export class ContractWindowOver extends DomainError {
  readonly code = 'contract_window_over';
  constructor() {
    super('The contract is past its validUntil and can no longer be signed');
  }
}
