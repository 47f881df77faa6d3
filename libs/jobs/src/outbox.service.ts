import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import { DataSource } from 'typeorm';
import { prepared, runPrepared } from '@cadre/common';
import { JobQueues } from './job-queues';
import { assertJobPayload } from './job-payload';
import { JOBS, JobName, JobPayload } from './jobs';

/** An outbox row as written in a transaction, remembered until that transaction commits. */
export interface OutboxMessage {
  id: string;
  name: JobName;
  payload: Record<string, string>;
}

/** Every job's row, written and then marked published: prepared. */
const SQL = {
  insert: prepared(`INSERT INTO cadre.outbox (id, name, payload) VALUES ($1, $2, $3)`),
  published: prepared(`UPDATE cadre.outbox SET status = 'published', published_at = now() WHERE id = ANY((SELECT $1::uuid[])::uuid[]) AND status = 'pending'`), // see PreparedSql
};

/** Outbox rows written inside a UnitOfWork, per transaction (its QueryRunner). */
const unitMessages = new WeakMap<QueryRunner, OutboxMessage[]>();

/** Called by UnitOfWork: collect the messages this transaction enqueues. */
export function trackUnit(em: EntityManager): OutboxMessage[] {
  const runner = em.queryRunner;
  if (!runner) throw new Error('UnitOfWork: the entity manager has no transaction');
  const list: OutboxMessage[] = [];
  unitMessages.set(runner, list);
  return list;
}

/**
 * The transactional outbox: a job is first a row in `cadre.outbox`, written in the
 * caller's transaction, and only then a BullMQ message (jobId = row id).
 */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger('OutboxService');

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
  ) {}

  /**
   * Writes the job's outbox row in the caller's transaction and returns its id. Inside
   * `UnitOfWork.run` it is published right after commit; otherwise the sweeper publishes it.
   * The payload must be ids only (see jobs.ts).
   */
  async enqueue<N extends JobName>(em: EntityManager, name: N, payload: JobPayload<N>): Promise<string> {
    const clean = assertJobPayload(name, payload) as Record<string, string>;
    const id = randomUUID();
    await runPrepared(em, SQL.insert, [id, name, JSON.stringify(clean)]);
    if (em.queryRunner) unitMessages.get(em.queryRunner)?.push({ id, name, payload: clean });
    return id;
  }

  /**
   * Publishes committed outbox rows to BullMQ and marks them published. Never throws:
   * a message Redis did not take stays pending and the sweeper publishes it later.
   */
  async publish(messages: OutboxMessage[]): Promise<string[]> {
    const published: string[] = [];
    for (const m of messages) {
      if (!(m.name in JOBS)) continue;
      try {
        await this.queues.add(m.id, m.name, m.payload as JobPayload<typeof m.name>);
        published.push(m.id);
      } catch (err) {
        const e = err as Error;
        this.logger.warn({ job: m.name, outboxId: m.id, err: { name: e.name } }, 'job not published; the outbox sweeper will retry');
      }
    }
    if (published.length) {
      await runPrepared(this.dataSource, SQL.published, [published]).catch(() => undefined);
    }
    return published;
  }
}
