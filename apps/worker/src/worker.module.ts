import { Module } from '@nestjs/common';

/** The worker: BullMQ processors and timed sweeps only, no HTTP. */
@Module({
  imports: [],
})
export class WorkerModule {}
