import { Module } from '@nestjs/common';
import { AccessModule } from '@cadre/access';
import { AuditModule } from '@cadre/audit';
import { ContractsModule } from '@cadre/contracts';
import { DatasetsModule } from '@cadre/datasets';
import { EthicsModule } from '@cadre/ethics';
import { IdentityModule } from '@cadre/identity';
import { JobsModule } from '@cadre/jobs';
import { ComputationsController } from './computations.controller';
import { ComputationsService } from './computations.service';
import { PolicyContextLoader } from './policy/policy-context';
import { SettledListener } from './settled-listener';

/** The data plane's API side: submission (checked now), reading, release, cancellation, budget. */
@Module({
  imports: [AccessModule, AuditModule, ContractsModule, DatasetsModule, EthicsModule, IdentityModule, JobsModule],
  controllers: [ComputationsController],
  providers: [ComputationsService, PolicyContextLoader, SettledListener],
  exports: [ComputationsService],
})
export class ComputationsModule {}
