import { Module } from '@nestjs/common';
import { AccessModule } from '@cadre/access';
import { AuditModule } from '@cadre/audit';
import { ContractsModule } from '@cadre/contracts';
import { DatasetsModule } from '@cadre/datasets';
import { EthicsModule } from '@cadre/ethics';
import { IdentityModule } from '@cadre/identity';
import { JobsModule } from '@cadre/jobs';
import { MembersModule } from '@cadre/members';
import { ComputationListController } from './computation-list.controller';
import { ComputationListService } from './computation-list.service';
import { ComputationsController } from './computations.controller';
import { PerturbationTableController } from './perturbation-table.controller';
import { ComputationsService } from './computations.service';
import { PolicyContextLoader } from './policy/policy-context';
import { SettledListener } from './settled-listener';
import { UsageService } from './usage.service';

/** The data plane's API side: submission (checked now), reading, release, cancellation, budget. */
@Module({
  imports: [AccessModule, AuditModule, ContractsModule, DatasetsModule, EthicsModule, IdentityModule, JobsModule, MembersModule],
  controllers: [ComputationsController, ComputationListController, PerturbationTableController],
  providers: [ComputationsService, ComputationListService, UsageService, PolicyContextLoader, SettledListener],
  exports: [ComputationsService],
})
export class ComputationsModule {}
