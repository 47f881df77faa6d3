import { EventEmitter } from 'node:events';

/**
 * In-process news that a computation left the queue. When API and worker share a process
 * (`npm start`), a waiting GET wakes at once; across processes it falls back to re-reading
 * the row on a short period. Carries ids only.
 */
/** The PostgreSQL channel the worker notifies, with a computation id as payload. */
export const SETTLED_CHANNEL = 'cadre_computation_settled';

const settled = new EventEmitter();
settled.setMaxListeners(0);

/** Called by the worker after the transaction that finished a computation has committed. */
export function announceSettled(computationId: string): void {
  settled.emit(computationId);
}

/** Resolves when the computation is announced settled, or after `ms`, whichever comes first. */
export function settledOrTimeout(computationId: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      settled.off(computationId, done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    settled.once(computationId, done);
  });
}
