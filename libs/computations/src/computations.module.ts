import { Module } from '@nestjs/common';
import { AccessModule } from '@cadre/access';
import { AuditModule } from '@cadre/audit';
import { ContractsModule } from '@cadre/contracts';
import { DatasetsModule } from '@cadre/datasets';
import { EthicsModule } from '@cadre/ethics';
import { IdentityModule } from '@cadre/identity';
import { JobsModule } from '@cadre/jobs';
import { MembersModule } from '@cadre/members';
import { ComputationsController } from './computations.controller';
import { PerturbationTableController } from './perturbation-table.controller';
import { ComputationsService } from './computations.service';
import { PolicyContextLoader } from './policy/policy-context';
import { SettledListener } from './settled-listener';

/** The data plane's API side: submission (checked now), reading, release, cancellation, budget. */
@Module({
  imports: [AccessModule, AuditModule, ContractsModule, DatasetsModule, EthicsModule, IdentityModule, JobsModule, MembersModule],
  controllers: [ComputationsController, PerturbationTableController],
  providers: [ComputationsService, PolicyContextLoader, SettledListener],
  exports: [ComputationsService],
})
export class ComputationsModule {}
