import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobRunner } from './job-runner';
import { JobsModule } from './jobs.module';
import { JobsWorkerHost } from './jobs-worker.host';
import { OutboxSweepHandler, OutboxSweeper } from './outbox-sweeper';
import { WorkerHeartbeat } from './worker-heartbeat';

/** The consumer side, imported by apps/worker only: BullMQ workers, periodic jobs, the outbox sweeper. */
@Module({
  imports: [DiscoveryModule, JobsModule],
  providers: [JobRunner, JobsWorkerHost, OutboxSweeper, OutboxSweepHandler, WorkerHeartbeat],
})
export class JobsWorkerModule {}
