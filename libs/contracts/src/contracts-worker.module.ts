import { Module } from '@nestjs/common';
import { AuditModule } from '@cadre/audit';
import { EthicsModule } from '@cadre/ethics';
import { JobsModule } from '@cadre/jobs';
import { ExpireContractsHandler } from './contract-expiry.handler';
import { ContractsModule } from './contracts.module';

/** The worker's part of contracts: the 'expire-contracts' sweep. */
@Module({
  imports: [ContractsModule, AuditModule, EthicsModule, JobsModule],
  providers: [ExpireContractsHandler],
})
export class ContractsWorkerModule {}
