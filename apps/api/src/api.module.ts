import { Module } from '@nestjs/common';
import { AccessHttpModule } from '@cadre/access';
import { AuditHttpModule } from '@cadre/audit';
import { ComputationsModule } from '@cadre/computations';
import { ContractsHttpModule } from '@cadre/contracts';
import { DatasetsHttpModule } from '@cadre/datasets';
import { EthicsHttpModule } from '@cadre/ethics';
import { IdentityHttpModule, Signer } from '@cadre/identity';
import { MembersHttpModule } from '@cadre/members';
import { ConsoleModule } from './console.module';
import { HealthModule } from './health/health.module';
import { OpsModule } from './ops/ops.module';

/**
 * The HTTP surface: every context's controllers. Infrastructure comes from PlatformModule.
 * The order of the first three is the order of the global guards: authentication, abilities, member standing.
 */
@Module({
  imports: [IdentityHttpModule, AccessHttpModule, MembersHttpModule, EthicsHttpModule, ContractsHttpModule, DatasetsHttpModule, ComputationsModule, AuditHttpModule.register({ signer: Signer }), HealthModule, OpsModule, ConsoleModule],
})
export class ApiModule {}
