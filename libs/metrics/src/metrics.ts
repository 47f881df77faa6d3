import { Counter, Gauge, Histogram, Metric, register } from 'prom-client';

/**
 * The process's own Prometheus metrics, on prom-client's default registry (what
 * `/metrics` serves). Labels are names, states and codes only — never an id, a value or
 * a pseudonym — so that cardinality stays bounded and no datum leaks into a scrape.
 */
function once<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export const httpRequestDuration = once(
  'cadre_http_request_duration_seconds',
  () =>
    new Histogram({
      name: 'cadre_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: LATENCY_BUCKETS,
    }),
);

export const jobDuration = once(
  'cadre_job_duration_seconds',
  () =>
    new Histogram({
      name: 'cadre_job_duration_seconds',
      help: 'Job run time by job name and outcome (done, rejected, failed, skipped)',
      labelNames: ['job', 'outcome'] as const,
      buckets: JOB_BUCKETS,
    }),
);

export const ingestRows = once(
  'cadre_ingest_rows_total',
  () => new Counter({ name: 'cadre_ingest_rows_total', help: 'Rows accepted into the vault by uploads (rate() gives rows per second)' }),
);

export const ingestRowsPerSecond = once(
  'cadre_ingest_last_rows_per_second',
  () => new Gauge({ name: 'cadre_ingest_last_rows_per_second', help: 'Throughput of the last successful upload of this process, in rows per second' }),
);

export const auditAppendDuration = once(
  'cadre_audit_append_duration_seconds',
  () =>
    new Histogram({
      name: 'cadre_audit_append_duration_seconds',
      help: 'Time to append one event to the hash-chained audit log (lock wait included)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    }),
);

/** Records an upload that succeeded. */
export function recordIngest(rows: number, seconds: number): void {
  ingestRows.inc(rows);
  if (seconds > 0) ingestRowsPerSecond.set(rows / seconds);
}

/** Seconds elapsed since `start` (a `process.hrtime.bigint()`). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
