import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxService, trackUnit } from './outbox.service';

/**
 * One transaction around a state change, its audit event and its outbox rows; the
 * rows it wrote are published to BullMQ right after commit.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** Runs `fn` in a (READ COMMITTED) transaction, then publishes the jobs it enqueued. */
  async run<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    let messages: Awaited<ReturnType<typeof trackUnit>> = [];
    const result = await this.dataSource.transaction(async (em) => {
      messages = trackUnit(em);
      return fn(em);
    });
    if (messages.length) await this.outbox.publish(messages);
    return result;
  }
}
