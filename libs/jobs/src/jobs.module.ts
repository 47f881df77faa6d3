import { Module } from '@nestjs/common';
import { JobQueues } from './job-queues';
import { OutboxRepublisher } from './outbox-republisher';
import { OutboxService } from './outbox.service';
import { RedisProbe } from './redis-probe';
import { UnitOfWork } from './unit-of-work';
import { WorkerHeartbeats } from './worker-heartbeat';

/** The producer side every context imports: UnitOfWork, OutboxService (and the Redis probe for /health). */
@Module({
  providers: [JobQueues, OutboxService, UnitOfWork, RedisProbe, WorkerHeartbeats, OutboxRepublisher],
  exports: [OutboxService, UnitOfWork, RedisProbe, JobQueues, WorkerHeartbeats, OutboxRepublisher],
})
export class JobsModule {}
