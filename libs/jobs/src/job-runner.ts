import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { prepared, preparedRows, runPrepared } from '@cadre/common';
import { jobDuration, secondsSince } from '@cadre/metrics';
import { JOBS, JobName, isJobName } from './jobs';
import type { Handler, JobOutcome } from './job-handler.decorator';

/** Every job's outbox row: taken (attempts + 1, answering the payload) and marked done. Prepared. */
const TAKE = prepared(`UPDATE cadre.outbox SET attempts = attempts + 1 WHERE id = $1 AND name = $2 AND status IN ('pending', 'published') RETURNING payload`);
const DONE = prepared(`UPDATE cadre.outbox SET status = 'done', done_at = now() WHERE id = $1`);

/**
 * Runs one BullMQ job through its handler. For an outbox job the row is the truth:
 * a row already done (or unknown) is not run again, its payload is read from Postgres,
 * and the row is marked done — or failed after the last attempt — by this wrapper.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('JobRunner');
  private handlers = new Map<JobName, Handler<JobName>>();
  private readonly active = new Set<Promise<void>>();

  constructor(private readonly dataSource: DataSource) {}

  use(handlers: Map<JobName, Handler<JobName>>): void {
    this.handlers = handlers;
  }

  handles(name: JobName): boolean {
    return this.handlers.has(name);
  }

  /** Runs a job, tracked so that shutdown can wait for the jobs in flight. */
  run(job: Job): Promise<void> {
    const running = this.execute(job);
    const tracked = running.catch(() => undefined).finally(() => this.active.delete(tracked));
    this.active.add(tracked);
    return running;
  }

  /** Resolves when no job is running, or after `ms`. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.active.size && Date.now() < deadline) {
      await Promise.race([Promise.all(this.active), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
    }
  }

  /**
   * One structured line when a job starts and one when it ends: job name, ids (BullMQ job
   * id = outbox row id, and the payload's ids — payloads hold ids only), attempt, duration,
   * outcome or rejection code. Never a value, a pseudonym, an error message or SQL text.
   */
  private async execute(job: Job): Promise<void> {
    const started = process.hrtime.bigint();
    const line = { job: job.name, jobId: String(job.id), attempt: job.attemptsMade + 1, ids: idsOf(job.name, job.data) };
    this.logger.log({ ...line, event: 'job.start' }, 'job started');
    let result: JobOutcome;
    try {
      result = await this.runHandler(job);
    } catch (err) {
      const durationMs = Math.round(secondsSince(started) * 1000);
      this.logger.warn({ ...line, event: 'job.end', outcome: 'failed', durationMs, error: (err as Error)?.name }, 'job ended');
      jobDuration.observe({ job: line.job, outcome: 'failed' }, durationMs / 1000);
      throw err;
    }
    const seconds = secondsSince(started);
    this.logger.log({ ...line, event: 'job.end', outcome: result.outcome, ...(result.code ? { code: result.code } : {}), durationMs: Math.round(seconds * 1000) }, 'job ended');
    jobDuration.observe({ job: line.job, outcome: result.outcome }, seconds);
  }

  private async runHandler(job: Job): Promise<JobOutcome> {
    const name = job.name;
    const handler = isJobName(name) ? this.handlers.get(name) : undefined;
    if (!isJobName(name) || !handler) throw new Error(`no handler for job '${name}' in this worker`);
    const context = { jobId: String(job.id), attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 };
    if (JOBS[name].every) {
      try {
        return (await handler.handle({} as never, context)) ?? { outcome: 'done' };
      } catch (err) {
        // BullMQ keeps the message as the job's failedReason (shown by Bull Board): the error's name only.
        throw new Error(`job ${name} failed (${(err as Error)?.name ?? 'Error'})`);
      }
    }
    const [row] = await preparedRows<{ payload: Record<string, string> }>(this.dataSource, TAKE, [job.id, name]);
    if (!row) return { outcome: 'skipped' }; // already done, failed for good, or not an outbox job: nothing to do twice
    let result: void | JobOutcome;
    try {
      result = await handler.handle(row.payload as never, context);
    } catch (err) {
      const e = err as Error & { code?: string };
      // Never log the message: a driver error can quote a value.
      this.logger.error({ job: name, outboxId: job.id, attempt: context.attempt, err: { name: e.name, code: e.code } }, 'job handler failed');
      if (context.attempt >= (job.opts.attempts ?? 1)) {
        await this.dataSource.query(`UPDATE cadre.outbox SET status = 'failed', done_at = now() WHERE id = $1 AND status <> 'done'`, [job.id]);
      }
      throw new Error(`job ${name} failed (${e.name})`);
    }
    await runPrepared(this.dataSource, DONE, [job.id]);
    return result ?? { outcome: 'done' };
  }
}

/** The ids a job's log lines carry: the declared id keys of its payload, when they hold UUIDs. */
function idsOf(name: string, data: unknown): Record<string, string> {
  if (!isJobName(name) || !data || typeof data !== 'object') return {};
  const ids: Record<string, string> = {};
  for (const key of JOBS[name].ids as readonly string[]) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value === 'string' && UUID.test(value)) ids[key] = value;
  }
  return ids;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
