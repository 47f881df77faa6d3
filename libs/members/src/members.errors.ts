import { AbilityFactory, Action, SubjectRecord, SubjectType } from '@cadre/access';
import { DomainError, Forbidden } from '@cadre/common';
import type { Actor } from '@cadre/identity';

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

/** Throws Forbidden (403) unless the actor's ability allows `action` on `target` (the rules live in @cadre/access). */
export function authorize(abilities: AbilityFactory, actor: Actor, action: Action, target: SubjectType | SubjectRecord, detail?: string): void {
  if (!abilities.createForActor(actor).can(action, target)) throw new Forbidden(detail);
}
