import { Module } from '@nestjs/common';
import { AuditModule } from '@cadre/audit';
import { ContractsModule } from '@cadre/contracts';
import { DatasetsModule } from '@cadre/datasets';
import { EthicsModule } from '@cadre/ethics';
import { IdentityModule } from '@cadre/identity';
import { JobsModule } from '@cadre/jobs';
import { MembersModule } from '@cadre/members';
import { PolicyContextLoader } from './policy/policy-context';
import { RunComputationHandler } from './run-computation.handler';

/** The data plane's worker side: the 'run-computation' handler. */
@Module({
  imports: [AuditModule, ContractsModule, DatasetsModule, EthicsModule, IdentityModule, JobsModule, MembersModule],
  providers: [RunComputationHandler, PolicyContextLoader],
})
export class ComputationsWorkerModule {}
