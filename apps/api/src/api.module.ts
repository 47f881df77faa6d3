import { Module } from '@nestjs/common';
import { AccessModule } from '@cadre/access';
import { AuditHttpModule } from '@cadre/audit';
import { ComputationsModule } from '@cadre/computations';
import { ContractsModule } from '@cadre/contracts';
import { DatasetsHttpModule } from '@cadre/datasets';
import { EthicsModule } from '@cadre/ethics';
import { IdentityModule, Signer } from '@cadre/identity';
import { MembersModule } from '@cadre/members';
import { ConsoleModule } from './console.module';
import { HealthModule } from './health/health.module';
import { OpsModule } from './ops/ops.module';

/** The HTTP surface: every context's controllers. Infrastructure comes from PlatformModule. */
@Module({
  imports: [IdentityModule, AccessModule, MembersModule, EthicsModule, ContractsModule, DatasetsHttpModule, ComputationsModule, AuditHttpModule.register({ signer: Signer }), HealthModule, OpsModule, ConsoleModule],
})
export class ApiModule {}
