import { Module } from '@nestjs/common';
import { AuditCheckpointModule } from '@cadre/audit';
import { ComputationsWorkerModule } from '@cadre/computations';
import { ContractsModule } from '@cadre/contracts';
import { DatasetsWorkerModule } from '@cadre/datasets';
import { EthicsModule } from '@cadre/ethics';
import { IdentityModule, Signer } from '@cadre/identity';
import { JobsWorkerModule } from '@cadre/jobs';

/** The worker: BullMQ processors and timed sweeps only, no HTTP. */
@Module({
  imports: [JobsWorkerModule, IdentityModule, AuditCheckpointModule.register({ signer: Signer }), EthicsModule, ContractsModule, ComputationsWorkerModule, DatasetsWorkerModule],
})
export class WorkerModule {}
