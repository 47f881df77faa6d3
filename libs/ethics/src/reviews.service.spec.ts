import { tally } from './reviews.service';

describe('tallying a review round', () => {
  it.each([
    [['approve', 'approve', 'approve'], 'approved'],
    [['approve', 'approve', 'reject'], 'approved'],
    [['reject', 'reject', 'approve'], 'rejected'],
    [['request_changes', 'request_changes', 'approve'], 'changes_requested'],
    [['approve', 'reject', 'request_changes'], 'changes_requested'], // a three-way tie
    [['approve', 'approve', 'reject', 'reject'], 'changes_requested'], // a tie at quorum 4
    [['approve', 'approve', 'reject', 'request_changes'], 'approved'],
  ] as const)('%j → %s', (votes, outcome) => {
    expect(tally([...votes])).toBe(outcome);
  });
});
