import { Module } from '@nestjs/common';
import { EthicsModule } from '@cadre/ethics';

/** The worker: BullMQ processors and timed sweeps only, no HTTP. */
@Module({
  imports: [EthicsModule],
})
export class WorkerModule {}
