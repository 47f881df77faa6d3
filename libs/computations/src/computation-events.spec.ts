import { announceSettled, watchSettled } from './computation-events';

describe('waiting for a computation to settle', () => {
  it('wakes as soon as the worker announces the computation, not at the timeout', async () => {
    const started = Date.now();
    const waiting = watchSettled('c-1', 10_000).settled;
    setTimeout(() => announceSettled('c-1'), 30);
    await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives up at the timeout when nothing is announced, and ignores other computations', async () => {
    const started = Date.now();
    const waiting = watchSettled('c-2', 120).settled;
    announceSettled('c-3');
    await waiting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('watchSettled: listening armed before the row is read', () => {
  it('wakes for an announcement made before anyone awaits it (while the row was being read)', async () => {
    const watch = watchSettled('c-4', 10_000);
    announceSettled('c-4'); // lands during the read
    const started = Date.now();
    await watch.settled;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops listening when cancelled: a later announcement does not settle it', async () => {
    const watch = watchSettled('c-5', 10_000);
    watch.cancel();
    announceSettled('c-5');
    const outcome = await Promise.race([watch.settled.then(() => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 100))]);
    expect(outcome).toBe('pending');
  });
});
