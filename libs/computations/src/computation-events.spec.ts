import { announceSettled, settledOrTimeout } from './computation-events';

describe('waiting for a computation to settle', () => {
  it('wakes as soon as the worker announces the computation, not at the timeout', async () => {
    const started = Date.now();
    const waiting = settledOrTimeout('c-1', 10_000);
    setTimeout(() => announceSettled('c-1'), 30);
    await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives up at the timeout when nothing is announced, and ignores other computations', async () => {
    const started = Date.now();
    const waiting = settledOrTimeout('c-2', 120);
    announceSettled('c-3');
    await waiting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});
