import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '@cadre/access';
import { AuditModule } from '@cadre/audit';
import { DatasetsModule } from '@cadre/datasets';
import { EthicsModule } from '@cadre/ethics';
import { IdentityModule } from '@cadre/identity';
import { JobsModule } from '@cadre/jobs';
import { MembersModule } from '@cadre/members';
import { ContractDraftingService } from './contract-drafting.service';
import { ContractSignature } from './contract-signature.entity';
import { ContractSigningService } from './contract-signing.service';
import { Contract } from './contract.entity';
import { ContractsService } from './contracts.service';

/**
 * Per-use-case access contracts: drafting on approval, terms, signatures, lifecycle. No controller
 * (ContractsHttpModule) and no job handler (ContractsWorkerModule: the 'expire-contracts' sweep).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Contract, ContractSignature]), AccessModule, AuditModule, DatasetsModule, EthicsModule, IdentityModule, JobsModule, MembersModule],
  providers: [ContractsService, ContractSigningService, ContractDraftingService],
  // ContractSigningService is for ContractsHttpModule (index.ts does not export it).
  exports: [ContractsService, ContractSigningService],
})
export class ContractsModule {}
