import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { ConnectionOptions, Worker } from 'bullmq';
import { AppConfig } from '@cadre/config';
import { JobQueues } from './job-queues';
import { JobRunner } from './job-runner';
import { JOB_HANDLER_METADATA } from './job-handler.decorator';
import { DiscoveredHandler, resolveHandlers } from './handler-registry';
import { JOBS, JOB_NAMES, QueueName, RETRY_BACKOFF_TYPE, retryDelayMs } from './jobs';
import { OutboxSweeper } from './outbox-sweeper';
import { withTimeout, workerRedisOptions } from './redis';

const SCHEDULE_RETRY_MS = 5000;

/**
 * The worker's BullMQ side: at init it discovers every @JobHandler and refuses to start
 * unless each job declared 'required' has exactly one; at bootstrap it runs a Worker per
 * queue that has handlers and schedules the periodic jobs; on shutdown it closes them.
 * Redis being down never blocks boot: workers reconnect, scheduling retries.
 */
@Injectable()
export class JobsWorkerHost implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('JobsWorker');
  private workers: Worker[] = [];
  private scheduleTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping = false;
  private closing = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly runner: JobRunner,
    private readonly queues: JobQueues,
    private readonly config: AppConfig,
    private readonly sweeper: OutboxSweeper,
  ) {}

  onModuleInit(): void {
    const discovered: DiscoveredHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype;
      if (typeof type !== 'function') continue;
      const jobName = this.reflector.get<string | undefined>(JOB_HANDLER_METADATA, type);
      if (!jobName) continue;
      discovered.push({ jobName, owner: type.name, instance: wrapper.isDependencyTreeStatic() ? wrapper.instance : undefined });
    }
    this.runner.use(resolveHandlers(discovered));
  }

  onApplicationBootstrap(): void {
    const queues = new Set(JOB_NAMES.filter((n) => this.runner.handles(n)).map((n) => JOBS[n].queue));
    for (const queue of queues) {
      const worker = new Worker(queue, (job) => this.runner.run(job), {
        connection: { url: this.config.redisUrl, ...workerRedisOptions() } as ConnectionOptions,
        prefix: this.config.queuePrefix,
        concurrency: this.concurrency(queue),
        // A worker that dies leaves its job locked for at most one lease; the stalled check of
        // any live worker then hands it over (a handler re-checks its own lease in Postgres).
        lockDuration: this.config.jobLeaseMs,
        stalledInterval: Math.max(500, Math.floor(this.config.jobLeaseMs / 2)),
        maxStalledCount: 5,
        settings: { backoffStrategy: (attemptsMade: number, type?: string) => (type === RETRY_BACKOFF_TYPE ? retryDelayMs(attemptsMade) : 1000 * 2 ** Math.max(0, attemptsMade - 1)) },
      });
      worker.on('error', (err: Error & { code?: string }) => this.logger.warn({ queue, err: { name: err.name, code: err.code } }, 'worker connection error'));
      this.workers.push(worker);
    }
    void this.schedulePeriodicJobs();
    this.startLocalSweep();
  }

  /**
   * Postgres is the truth, even when Redis lost everything (FLUSHALL, a restart without
   * persistence): every worker sweeps the outbox on its own timer, re-publishing any job whose
   * message vanished (fixed job ids make that idempotent), and re-creates the periodic job
   * schedulers if Redis forgot them.
   */
  private startLocalSweep(): void {
    if (!this.runner.handles('outbox-sweep')) return;
    const tick = async () => {
      if (this.sweeping || this.closing) return;
      this.sweeping = true;
      try {
        await this.sweeper.sweep();
        await this.ensureSchedulers();
      } catch (err) {
        const e = err as Error & { code?: string };
        this.logger.warn({ err: { name: e.name, code: e.code } }, 'local outbox sweep failed; retrying next period');
      } finally {
        this.sweeping = false;
      }
    };
    this.sweepTimer = setInterval(() => void tick(), this.config.outboxSweepMs);
    this.sweepTimer.unref();
  }

  /** Re-creates periodic job schedulers that Redis no longer holds. */
  private async ensureSchedulers(): Promise<void> {
    for (const name of JOB_NAMES.filter((n) => JOBS[n].every && this.runner.handles(n))) {
      const queue = this.queues.queue(JOBS[name].queue);
      const scheduler = await withTimeout(queue.getJobScheduler(name), SCHEDULE_RETRY_MS, 'job scheduler lookup');
      if (scheduler) continue;
      this.logger.warn({ job: name }, 'periodic job scheduler missing in Redis; re-creating it');
      await this.schedulePeriodicJobs();
      return;
    }
  }

  /** Computations mostly wait on PostgreSQL, so several run at once; maintenance sweeps stay few. */
  private concurrency(queue: QueueName): number {
    return queue === 'computations' ? this.config.workerConcurrency : 2;
  }

  /** Upserts a BullMQ job scheduler per periodic job that has a handler (idempotent across workers). */
  private async schedulePeriodicJobs(): Promise<void> {
    const periodic = JOB_NAMES.filter((n) => JOBS[n].every && this.runner.handles(n));
    try {
      for (const name of periodic) {
        if (this.closing) return;
        await withTimeout(
          this.queues.queue(JOBS[name].queue).upsertJobScheduler(
            name,
            { every: this.config.sweepIntervalMs },
            { name, data: {}, opts: { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } } },
          ),
          SCHEDULE_RETRY_MS,
          'job scheduler upsert',
        );
      }
    } catch {
      if (this.closing) return;
      this.logger.warn('could not schedule periodic jobs yet (Redis unreachable); retrying');
      this.scheduleTimer = setTimeout(() => void this.schedulePeriodicJobs(), SCHEDULE_RETRY_MS);
      this.scheduleTimer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearTimeout(this.scheduleTimer);
    clearInterval(this.sweepTimer);
    const workers = this.workers;
    this.workers = [];
    // Stop fetching, let the jobs in flight finish (bounded), then close without waiting on
    // Redis: BullMQ's graceful close blocks forever when Redis is unreachable.
    for (const w of workers) void w.pause(true).catch(() => undefined);
    await this.runner.drain(10_000);
    await Promise.all(workers.map((w) => w.close(true).catch(() => undefined)));
  }
}
