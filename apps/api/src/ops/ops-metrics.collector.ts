import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { JobQueues, QUEUES } from '@cadre/jobs';

const SCRAPE_TIMEOUT_MS = 1000;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

function within<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('scrape timeout')), SCRAPE_TIMEOUT_MS)))]).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * Metrics read at scrape time from the shared state (so that they hold across API and
 * worker processes): queue depth per queue and state (BullMQ), outbox rows waiting,
 * computations by final status and rejection or failure code (PostgreSQL). Counts only.
 */
@Injectable()
export class OpsMetricsCollector implements OnModuleInit, OnModuleDestroy {
  private gauges: { name: string; gauge: Gauge }[] = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queues: JobQueues,
  ) {}

  onModuleInit(): void {
    if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
    const queues = this.queues;
    const db = this.db;
    this.gauges = [
      this.gauge({
        name: 'cadre_queue_jobs',
        help: 'BullMQ jobs per queue and state',
        labelNames: ['queue', 'state'],
        async collect() {
          this.reset();
          for (const name of Object.values(QUEUES)) {
            const counts = await within(queues.queue(name).getJobCounts(...QUEUE_STATES)).catch(() => null);
            for (const state of QUEUE_STATES) if (counts) this.set({ queue: name, state }, counts[state] ?? 0);
          }
        },
      }),
      this.gauge({
        name: 'cadre_outbox_rows_waiting',
        help: 'Outbox rows not yet done, by status (pending: not in Redis yet; published: queued, not finished)',
        labelNames: ['status'],
        async collect() {
          const rows = (await within(db.query(`SELECT status, count(*)::int AS n FROM cadre.outbox WHERE status IN ('pending', 'published') GROUP BY status`)).catch(() => null)) as
            | { status: string; n: number }[]
            | null;
          this.reset();
          if (!rows) return;
          for (const status of ['pending', 'published']) this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
        },
      }),
      this.gauge({
        name: 'cadre_outbox_oldest_waiting_seconds',
        help: 'Age of the oldest outbox row not yet done (0 when none): a stuck job shows here',
        async collect() {
          const rows = (await within(db.query(`SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS age FROM cadre.outbox WHERE status IN ('pending', 'published')`)).catch(
            () => null,
          )) as { age: number }[] | null;
          if (rows) this.set(rows[0]?.age ?? 0);
        },
      }),
      this.gauge({
        name: 'cadre_computations',
        help: 'Computations by status and, for rejected or failed ones, the rejection or failure code',
        labelNames: ['status', 'code'],
        async collect() {
          const rows = (await within(
            db.query(`SELECT status, coalesce(rejection->>'code', failure, '') AS code, count(*)::int AS n FROM cadre.computations GROUP BY 1, 2`),
          ).catch(() => null)) as { status: string; code: string; n: number }[] | null;
          this.reset();
          for (const r of rows ?? []) this.set({ status: r.status, code: r.code }, r.n);
        },
      }),
    ];
  }

  /** A gauge on the default registry; one app per process owns it (a later app in the same process, as in tests, replaces it). */
  private gauge(config: ConstructorParameters<typeof Gauge<string>>[0]): { name: string; gauge: Gauge } {
    register.removeSingleMetric(config.name);
    return { name: config.name, gauge: new Gauge(config) };
  }

  onModuleDestroy(): void {
    for (const { name, gauge } of this.gauges) if (register.getSingleMetric(name) === gauge) register.removeSingleMetric(name);
    this.gauges = [];
  }
}
