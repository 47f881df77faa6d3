import { DomainError } from '@cadre/common';

/** Another user already has this e-mail address. */
export class EmailTaken extends DomainError {
  readonly code = 'email_taken';
  readonly kind = 'conflict' as const;
  constructor() {
    super('A user with this email already exists');
  }
}
