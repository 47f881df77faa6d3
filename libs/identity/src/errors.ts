import { DomainError } from '@cadre/common';

/** Another user already has this e-mail address. */
export class EmailTaken extends DomainError {
  readonly code = 'email_taken';
  readonly kind = 'conflict' as const;
  constructor() {
    super('A user with this email already exists');
  }
}

/** The change would leave the platform without an active platform admin. */
export class LastPlatformAdmin extends DomainError {
  readonly code = 'last_platform_admin';
  readonly kind = 'conflict' as const;
  constructor() {
    super('The platform must keep at least one active platform admin');
  }
}
