import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@cadre/audit';
import { DatasetsModule } from '@cadre/datasets';
import { JobsModule } from '@cadre/jobs';
import { MembersModule } from '@cadre/members';
import { RegisterService } from './register.service';
import { UseCaseAmendment, UseCaseDecision, UseCaseVote } from './review.entities';
import { ReviewsService } from './reviews.service';
import { UseCase } from './use-case.entity';
import { UseCaseLifecycle } from './use-case-lifecycle';
import { UseCaseRequestValidator } from './use-case-request.validator';
import { UseCaseStore } from './use-case.store';
import { UseCasesService } from './use-cases.service';
import { TeamConsentService } from './team-consent.service';

/**
 * Use cases and their ethics review: votes, recusals, signed decisions, amendments, the public register.
 * No controller (EthicsHttpModule) and no job handler (EthicsWorkerModule).
 */
@Module({
  imports: [TypeOrmModule.forFeature([UseCase, UseCaseVote, UseCaseDecision, UseCaseAmendment]), AuditModule, JobsModule, MembersModule, DatasetsModule],
  providers: [UseCaseStore, UseCaseRequestValidator, TeamConsentService, UseCasesService, ReviewsService, RegisterService, UseCaseLifecycle],
  // ReviewsService and TeamConsentService are for EthicsHttpModule (index.ts does not export them).
  exports: [UseCasesService, UseCaseLifecycle, RegisterService, ReviewsService, TeamConsentService],
})
export class EthicsModule {}
