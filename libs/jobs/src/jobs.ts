/**
 * The one list of queues, jobs and their payloads. A payload carries ids only, never a
 * value: the handler reloads state from Postgres. `OutboxService.enqueue` refuses any
 * payload whose keys are not exactly the job's `ids`, or whose values are not UUIDs.
 *
 * Adding a job (owners of a context):
 *   1. add its payload to `JobPayloads` and its definition to `JOBS` (`handler: 'pending'`);
 *   2. write `@JobHandler('<name>') class … implements Handler<'<name>'>` in your lib and
 *      make sure your module is imported by apps/worker/src/worker.module.ts;
 *   3. flip the definition to `handler: 'required'`. From then on the worker refuses to
 *      boot unless exactly one handler exists for it.
 * A job still marked `'pending'` (nobody handles it yet) is accepted by the outbox but is
 * not processed, and a periodic one is not scheduled, until its owner adds the handler.
 * A periodic job is just a job with `every`: the worker schedules it (BullMQ job
 * scheduler) and it runs through a normal `@JobHandler` with an empty payload.
 */

export const QUEUES = {
  /** Computations: long, CPU and database bound. */
  computations: 'computations',
  /** Short periodic sweeps; never blocked behind a long computation. */
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** The typed payload of every job: ids only. */
export interface JobPayloads {
  'run-computation': { computationId: string };
  'outbox-sweep': Record<string, never>;
  'audit-checkpoint': Record<string, never>;
  'expire-use-cases': Record<string, never>;
  'expire-contracts': Record<string, never>;
  /** Datasets: fails uploads whose process died, drops unreferenced vault tables. */
  'sweep-uploads': Record<string, never>;
  /** Datasets: measures a finalised version's completeness per column (aggregates only). */
  'measure-version-quality': { versionId: string };
  /** Diagnostics: proves the outbox → queue → handler path. No production handler; tests register one. */
  ping: { pingId: string };
}
export type JobName = keyof JobPayloads;
export type JobPayload<N extends JobName> = JobPayloads[N];

export interface JobDefinition<N extends JobName = JobName> {
  queue: QueueName;
  /** The payload's keys, exactly; every value is a UUID. */
  ids: readonly (keyof JobPayloads[N] & string)[];
  /** 'required': the worker refuses to boot without exactly one handler. 'pending': its owner has not written it yet. */
  handler: 'required' | 'pending';
  /** Periodic job: runs every `sweepIntervalMs` (AppConfig), scheduled by the worker. */
  every?: 'sweep';
  /** Attempts before the outbox row is marked failed (default 3). */
  attempts?: number;
}

export const JOBS: { readonly [N in JobName]: JobDefinition<N> } = {
  // Transient failures (database or Redis away) are retried with a capped backoff for about a minute and a half.
  'run-computation': { queue: QUEUES.computations, ids: ['computationId'], handler: 'required', attempts: 16 },
  'outbox-sweep': { queue: QUEUES.maintenance, ids: [], handler: 'required', every: 'sweep', attempts: 1 },
  'audit-checkpoint': { queue: QUEUES.maintenance, ids: [], handler: 'required', every: 'sweep', attempts: 1 },
  'expire-use-cases': { queue: QUEUES.maintenance, ids: [], handler: 'required', every: 'sweep', attempts: 1 },
  'expire-contracts': { queue: QUEUES.maintenance, ids: [], handler: 'required', every: 'sweep', attempts: 1 },
  'sweep-uploads': { queue: QUEUES.maintenance, ids: [], handler: 'required', every: 'sweep', attempts: 1 },
  'measure-version-quality': { queue: QUEUES.maintenance, ids: ['versionId'], handler: 'required', attempts: 5 },
  ping: { queue: QUEUES.maintenance, ids: ['pingId'], handler: 'pending' },
};

/** Retry delay after the n-th failed attempt: 0.5 s, 1 s, 2 s, 4 s, then every 8 s, so a job resumes soon after an outage ends. */
export const RETRY_BACKOFF_TYPE = 'cadre-capped';
export function retryDelayMs(attemptsMade: number): number {
  return Math.min(8000, 250 * 2 ** Math.max(1, attemptsMade));
}

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

export function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(JOBS, name);
}
