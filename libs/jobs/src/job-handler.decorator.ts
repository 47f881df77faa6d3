import { SetMetadata } from '@nestjs/common';
import type { JobName, JobPayload } from './jobs';

export const JOB_HANDLER_METADATA = 'cadre:job-handler';

/** What a handler learns about the run besides its payload. */
export interface JobContext {
  /** BullMQ job id: the outbox row id for outbox jobs, a scheduler id for periodic ones. */
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** The last attempt the queue makes; a handler may retry a transient failure (by throwing) before it. */
  maxAttempts: number;
}

/**
 * What a handler may report about its run, for the job's end log line and metrics:
 * a word and, for a refusal, its stable code. Never a value.
 */
export interface JobOutcome {
  outcome: 'done' | 'rejected' | 'failed' | 'skipped';
  code?: string;
}

/** A job handler: idempotent, reloads state from Postgres, guards its transitions in SQL. */
export interface Handler<N extends JobName> {
  handle(payload: JobPayload<N>, context: JobContext): Promise<void | JobOutcome>;
}

/** Marks a provider as the one handler of a job. The worker discovers it at boot. */
export const JobHandler = (name: JobName): ClassDecorator => SetMetadata(JOB_HANDLER_METADATA, name);
