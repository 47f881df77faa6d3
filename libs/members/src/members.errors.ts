import { DomainError } from '@cadre/common';

/** A charter version label is already taken. */
export class CharterVersionTaken extends DomainError {
  readonly code = 'charter_version_taken';
  constructor() {
    super('A charter with this version already exists');
  }
}

/** The organisation already adheres to this charter version. */
export class AlreadyAdhered extends DomainError {
  readonly code = 'already_adhered';
  constructor() {
    super('The organisation already adheres to this charter');
  }
}

/** This public key is already registered for the organisation. */
export class KeyAlreadyRegistered extends DomainError {
  readonly code = 'key_already_registered';
  constructor() {
    super('This key is already registered for the organisation');
  }
}
