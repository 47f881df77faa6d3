import { DomainError, Forbidden } from '@cadre/common';

/** The committee member is affiliated with the requester or a provider of the use case. */
export class Recused extends Forbidden {
  constructor() {
    super('You are recused: your organisation requests this use case or provides one of its datasets', 'recused');
  }
}

/** The member already voted in this review round. */
export class AlreadyVoted extends DomainError {
  readonly code = 'already_voted';
  constructor() {
    super('You have already voted in this review round');
  }
}
