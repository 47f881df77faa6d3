import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobQueues } from './job-queues';
import { JOBS, isJobName } from './jobs';
import { OutboxMessage, OutboxService } from './outbox.service';

const STILL_QUEUED = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export interface RepublishReport {
  /** Rows whose message was published again. */
  republished: string[];
  /** Rows left alone: their message is still queued or running. */
  stillQueued: number;
}

/**
 * The operator's "re-publish stuck jobs" (`npm run cadre -- republish-outbox`): outbox rows
 * not done after `olderThanSeconds` whose BullMQ message is missing or finished without
 * finishing the row are published again (a finished message is removed first, since the
 * jobId is the row id). With `includeFailed`, rows failed for good are reset and retried.
 */
@Injectable()
export class OutboxRepublisher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
    private readonly outbox: OutboxService,
  ) {}

  async republish(options: { olderThanSeconds: number; includeFailed: boolean }): Promise<RepublishReport> {
    const statuses = options.includeFailed ? ['pending', 'published', 'failed'] : ['pending', 'published'];
    const rows = (await this.dataSource.query(
      `SELECT id, name, payload, status FROM cadre.outbox WHERE status = ANY($1) AND created_at < now() - make_interval(secs => $2) ORDER BY created_at`,
      [statuses, options.olderThanSeconds],
    )) as { id: string; name: string; payload: Record<string, string>; status: string }[];
    const stuck: OutboxMessage[] = [];
    let stillQueued = 0;
    for (const row of rows) {
      if (!isJobName(row.name)) continue;
      const job = await this.queues.queue(JOBS[row.name].queue).getJob(row.id);
      if (job) {
        const state = await job.getState();
        if (STILL_QUEUED.has(state)) {
          stillQueued++;
          continue;
        }
        await job.remove();
      }
      if (row.status === 'failed') {
        await this.dataSource.query(`UPDATE cadre.outbox SET status = 'pending', attempts = 0, done_at = NULL WHERE id = $1 AND status = 'failed'`, [row.id]);
      }
      stuck.push({ id: row.id, name: row.name, payload: row.payload });
    }
    return { republished: stuck.length ? await this.outbox.publish(stuck) : [], stillQueued };
  }
}
