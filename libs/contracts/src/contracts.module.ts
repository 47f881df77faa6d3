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
import { ExpireContractsHandler } from './contract-expiry.handler';
import { ContractSignature } from './contract-signature.entity';
import { ContractSigningService } from './contract-signing.service';
import { Contract } from './contract.entity';
import { ContractsController } from './contracts.controller';
import { ContractsService } from './contracts.service';

/** Per-use-case access contracts: drafting on approval, terms, signatures, lifecycle, and the 'expire-contracts' sweep. */
@Module({
  imports: [TypeOrmModule.forFeature([Contract, ContractSignature]), AccessModule, AuditModule, DatasetsModule, EthicsModule, IdentityModule, JobsModule, MembersModule],
  controllers: [ContractsController],
  providers: [ContractsService, ContractSigningService, ContractDraftingService, ExpireContractsHandler],
  exports: [ContractsService],
})
export class ContractsModule {}
