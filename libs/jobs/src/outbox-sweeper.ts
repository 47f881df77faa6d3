import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobQueues } from './job-queues';
import { JobHandler, type Handler } from './job-handler.decorator';
import { isJobName } from './jobs';
import { OutboxService } from './outbox.service';

const SWEEP_BATCH = 500;
/** Done rows are kept this long (for support and audit correlation), then deleted by the sweep. */
const DONE_RETENTION = '7 days';

/**
 * Re-enqueues outbox rows whose BullMQ message is missing: never published (the process
 * died after commit, Redis was down) or lost (Redis flushed or restarted without data).
 * Publishing again is harmless: jobId = row id, and the runner skips a row already done.
 */
@Injectable()
export class OutboxSweeper {
  private readonly logger = new Logger('OutboxSweeper');

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
    private readonly outbox: OutboxService,
  ) {}

  /** One pass; returns the ids re-enqueued. */
  async sweep(): Promise<string[]> {
    await this.dataSource.query(`DELETE FROM cadre.outbox WHERE status = 'done' AND done_at < now() - $1::interval`, [DONE_RETENTION]);
    const rows = (await this.dataSource.query(
      `SELECT id, name, payload FROM cadre.outbox WHERE status IN ('pending', 'published') ORDER BY created_at LIMIT $1`,
      [SWEEP_BATCH],
    )) as { id: string; name: string; payload: Record<string, string> }[];
    const missing = [];
    for (const row of rows) {
      if (!isJobName(row.name)) continue;
      if (!(await this.queues.has(row.name, row.id))) missing.push({ id: row.id, name: row.name, payload: row.payload });
    }
    if (!missing.length) return [];
    const published = await this.outbox.publish(missing);
    this.logger.log({ reenqueued: published.length }, 'outbox sweep re-enqueued lost jobs');
    return published;
  }
}

@JobHandler('outbox-sweep')
@Injectable()
export class OutboxSweepHandler implements Handler<'outbox-sweep'> {
  constructor(private readonly sweeper: OutboxSweeper) {}

  async handle(): Promise<void> {
    await this.sweeper.sweep();
  }
}
