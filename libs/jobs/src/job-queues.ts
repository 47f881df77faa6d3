import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConnectionOptions, Queue } from 'bullmq';
import { AppConfig } from '@cadre/config';
import { JOBS, JobName, JobPayload, QueueName, RETRY_BACKOFF_TYPE } from './jobs';
import { producerRedisOptions, withTimeout } from './redis';

/** How long a producer waits for Redis before leaving the job to the outbox sweeper. */
const REDIS_CALL_TIMEOUT_MS = 1500;

/**
 * The producer side of BullMQ: one lazily opened `Queue` per queue name, under
 * `AppConfig.queuePrefix`. The API only ever produces; workers live in JobsWorkerModule.
 */
@Injectable()
export class JobQueues implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly logger = new Logger('JobQueues');
  private closed = false;

  constructor(private readonly config: AppConfig) {}

  /** The BullMQ queue of a queue name (opened on first use). */
  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      // A connection opened during shutdown would never be closed (and keep the process alive).
      if (this.closed) throw new Error('job queues are closed');
      queue = new Queue(name, {
        connection: { url: this.config.redisUrl, ...producerRedisOptions() } as ConnectionOptions,
        prefix: this.config.queuePrefix,
        defaultJobOptions: {
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      });
      // Connection errors are expected while Redis is down; the outbox covers them.
      queue.on('error', (err: Error & { code?: string }) => this.logger.warn({ err: { name: err.name, code: err.code } }, 'queue connection error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Adds an outbox job; `jobId` = outbox row id, so adding it twice is harmless. Rejects after a short timeout. */
  async add<N extends JobName>(id: string, name: N, payload: JobPayload<N>): Promise<void> {
    const def = JOBS[name];
    await withTimeout(
      this.queue(def.queue).add(name, payload, { jobId: id, attempts: def.attempts ?? 3, backoff: { type: RETRY_BACKOFF_TYPE } }),
      REDIS_CALL_TIMEOUT_MS,
      'job publish',
    );
  }

  /**
   * Whether BullMQ still holds a live job for an outbox row: waiting, delayed, active. A job
   * that ended (completed or failed) while its row is not done ended without Postgres knowing
   * (the database was away at that moment): it is removed, so that it can be published again.
   */
  async has(name: JobName, id: string): Promise<boolean> {
    const queue = this.queue(JOBS[name].queue);
    const job = await withTimeout(queue.getJob(id), REDIS_CALL_TIMEOUT_MS, 'job lookup');
    if (!job) return false;
    if (!job.finishedOn) return true;
    const state = await withTimeout(job.getState(), REDIS_CALL_TIMEOUT_MS, 'job state');
    if (state !== 'completed' && state !== 'failed') return true;
    await withTimeout(job.remove(), REDIS_CALL_TIMEOUT_MS, 'job remove').catch(() => undefined);
    return false;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((q) => withTimeout(q.close(), 5000, 'queue close').catch(() => q.disconnect())));
  }
}
