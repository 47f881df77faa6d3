import { EventEmitter } from 'node:events';
import type { EntityManager } from 'typeorm';
import { prepared, runPrepared } from '@cadre/common';

/*
 * News that a computation left the queue, carrying ids only: announced in this process by the
 * worker (`npm start`) or by SettledListener, which hears the PostgreSQL notice the ending
 * transaction sent (notifySettled); a waiting GET (watchSettled) wakes at once either way.
 */

/** The PostgreSQL channel on which the end of a computation is announced, with its id as payload (notifySettled). */
export const SETTLED_CHANNEL = 'cadre_computation_settled';

const settled = new EventEmitter();
settled.setMaxListeners(0);

const NOTIFY = prepared('SELECT pg_notify($1, $2)');
/** The event every wait also listens to: "re-read now" (notices may have been missed). */
const EVERYONE = Symbol('every computation');
/** SettledListeners of this process now LISTENing (several apps may share a process in tests). */
let hearing = 0;

/**
 * A SettledListener started (or stopped) hearing PostgreSQL's notices. While one hears them,
 * a long poll need re-read its row only as a safety net; on (re)connection every wait re-reads
 * once, since notices sent while nobody listened are gone.
 */
export function setHearing(on: boolean): void {
  hearing = Math.max(0, hearing + (on ? 1 : -1));
  if (on) settled.emit(EVERYONE);
}

/** Whether the end of a computation in another process reaches this one as it commits. */
export function isHearing(): boolean {
  return hearing > 0;
}

/**
 * Inside the transaction that takes a computation out of the queue (released, held for
 * release, rejected, failed, cancelled): PostgreSQL delivers the notice at COMMIT, and only
 * if it commits, so API processes elsewhere (SettledListener) wake as the row becomes
 * readable, with no round trip after it. An id only, never a value.
 */
export async function notifySettled(em: EntityManager, computationId: string): Promise<void> {
  await runPrepared(em, NOTIFY, [SETTLED_CHANNEL, computationId]);
}

/** Announces in this process that a computation left the queue (its ending transaction has committed). */
export function announceSettled(computationId: string): void {
  settled.emit(computationId);
}

/**
 * A watch on one computation, listening from this call on: `settled` resolves when the
 * computation is announced, or after `ms`, whichever comes first; `cancel` stops listening.
 * Arm it before reading the row, so that an announcement landing during the read is not lost.
 */
export function watchSettled(computationId: string, ms: number): { settled: Promise<void>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<void>((resolve) => {
    const done = () => {
      cancel();
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    settled.once(computationId, done);
    settled.once(EVERYONE, done);
    cancel = () => {
      clearTimeout(timer);
      settled.off(computationId, done);
      settled.off(EVERYONE, done);
    };
  });
  return { settled: promise, cancel: () => cancel() };
}
