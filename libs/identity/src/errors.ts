import { DomainError } from '@cadre/common';

/** Another user already has this e-mail address. */
export class EmailTaken extends DomainError {
  readonly code = 'email_taken';
  constructor() {
    super('A user with this email already exists');
  }
}

/** The change would leave the platform without an active platform admin. */
export class LastPlatformAdmin extends DomainError {
  readonly code = 'last_platform_admin';
  constructor() {
    super('The platform must keep at least one active platform admin');
  }
}
