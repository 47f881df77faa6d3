import { Module } from '@nestjs/common';
import { AuditCheckpointModule } from '@cadre/audit';
import { ComputationsWorkerModule } from '@cadre/computations';
import { ContractsWorkerModule } from '@cadre/contracts';
import { DatasetsWorkerModule } from '@cadre/datasets';
import { EthicsWorkerModule } from '@cadre/ethics';
import { IdentityModule, Signer } from '@cadre/identity';
import { JobsWorkerModule } from '@cadre/jobs';

/** The worker: BullMQ processors and timed sweeps only: no controller, no global guard, no login throttle. */
@Module({
  imports: [JobsWorkerModule, IdentityModule, AuditCheckpointModule.register({ signer: Signer }), EthicsWorkerModule, ContractsWorkerModule, ComputationsWorkerModule, DatasetsWorkerModule],
})
export class WorkerModule {}
