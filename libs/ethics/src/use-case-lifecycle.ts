import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SignedDecision, UseCaseSnapshot } from './use-case.types';

export type ApprovedListener = (em: EntityManager, snapshot: UseCaseSnapshot, decision: SignedDecision) => Promise<void>;
export type ReopenedListener = (em: EntityManager, snapshot: UseCaseSnapshot) => Promise<void>;

/**
 * Where later contexts (contracts) plug into the review without ethics importing
 * them. Listeners run inside the transaction of the state change: a listener that
 * throws rolls the decision or amendment back.
 */
@Injectable()
export class UseCaseLifecycle {
  private readonly approved: ApprovedListener[] = [];
  private readonly reopened: ReopenedListener[] = [];

  /** Called when a review round approves the use case (contracts draft their contracts here). */
  onApproved(listener: ApprovedListener): void {
    this.approved.push(listener);
  }

  /** Called when an amendment sends an approved or active use case back to review. */
  onReopened(listener: ReopenedListener): void {
    this.reopened.push(listener);
  }

  /** @internal run by the review service */
  async emitApproved(em: EntityManager, snapshot: UseCaseSnapshot, decision: SignedDecision): Promise<void> {
    for (const listener of this.approved) await listener(em, snapshot, decision);
  }

  /** @internal run by the review service */
  async emitReopened(em: EntityManager, snapshot: UseCaseSnapshot): Promise<void> {
    for (const listener of this.reopened) await listener(em, snapshot);
  }
}
