import fc from 'fast-check';
import { WrongState } from '@cadre/common';
import { canTransition, nextStatus, statusesAllowing, USE_CASE_STATUSES, UseCaseEvent, UseCaseStatus } from './use-case-status';

const EVENTS: UseCaseEvent[] = ['edit', 'submit', 'vote', 'approve', 'reject', 'request_changes', 'activate', 'suspend', 'expire', 'close', 'amend'];

describe('the use-case state machine', () => {
  it.each<[UseCaseStatus, UseCaseEvent, UseCaseStatus]>([
    ['draft', 'submit', 'under_review'],
    ['changes_requested', 'submit', 'under_review'],
    ['under_review', 'approve', 'approved'],
    ['under_review', 'reject', 'rejected'],
    ['under_review', 'request_changes', 'changes_requested'],
    ['approved', 'activate', 'active'],
    ['active', 'suspend', 'suspended'],
    ['active', 'expire', 'expired'],
    ['approved', 'expire', 'expired'],
    ['active', 'close', 'closed'],
    ['approved', 'amend', 'under_review'],
    ['active', 'amend', 'under_review'],
  ])('%s --%s--> %s', (from, event, to) => {
    expect(nextStatus(from, event)).toBe(to);
  });

  it.each<[UseCaseStatus, UseCaseEvent]>([
    ['under_review', 'submit'], // submit twice
    ['draft', 'vote'], // vote on a draft
    ['draft', 'approve'],
    ['rejected', 'submit'], // a rejection is final
    ['under_review', 'edit'], // no edit while the committee reviews
    ['approved', 'edit'], // after approval, only an amendment changes the request
    ['draft', 'activate'], // contracts cannot activate an unapproved use case
    ['under_review', 'activate'], // nor one under amendment review
    ['expired', 'activate'],
    ['draft', 'amend'],
    ['expired', 'amend'],
    ['closed', 'activate'],
  ])('refuses %s --%s--> with WrongState (409)', (from, event) => {
    expect(() => nextStatus(from, event)).toThrow(WrongState);
    expect(canTransition(from, event)).toBe(false);
  });

  it('makes terminal states terminal: nothing leaves rejected, expired or closed', () => {
    for (const from of ['rejected', 'expired', 'closed'] as UseCaseStatus[]) {
      for (const event of EVENTS) expect(canTransition(from, event)).toBe(false);
    }
  });

  it('never reaches active except from approved or suspended (safe projects)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...USE_CASE_STATUSES), fc.constantFrom(...EVENTS), (from, event) => {
        if (canTransition(from, event) && nextStatus(from, event) === 'active') {
          expect(['approved', 'suspended']).toContain(from);
          expect(event).toBe('activate');
        }
      }),
    );
  });

  it('agrees with itself: statusesAllowing lists exactly the states canTransition accepts', () => {
    for (const event of EVENTS) {
      expect([...statusesAllowing(event)].sort()).toEqual(USE_CASE_STATUSES.filter((s) => canTransition(s, event)).sort());
    }
  });

  it('says why in a 409 that names the state and the action', () => {
    expect(() => nextStatus('under_review', 'submit')).toThrow('Use case is under_review: cannot submit');
  });
});
