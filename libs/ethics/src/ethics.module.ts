import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@cadre/audit';
import { DatasetsModule } from '@cadre/datasets';
import { JobsModule } from '@cadre/jobs';
import { MembersModule } from '@cadre/members';
import { UseCaseRegisterController } from './register.controller';
import { RegisterService } from './register.service';
import { UseCaseAmendment, UseCaseDecision, UseCaseVote } from './review.entities';
import { ReviewsService } from './reviews.service';
import { UseCase } from './use-case.entity';
import { UseCaseExpiryHandler } from './use-case-expiry.handler';
import { UseCaseLifecycle } from './use-case-lifecycle';
import { UseCaseRequestValidator } from './use-case-request.validator';
import { UseCaseStore } from './use-case.store';
import { UseCasesController } from './use-cases.controller';
import { UseCasesService } from './use-cases.service';
import { TeamConsentService } from './team-consent.service';

/** Use cases and their ethics review: votes, recusals, signed decisions, amendments, the public register, expiry. */
@Module({
  imports: [TypeOrmModule.forFeature([UseCase, UseCaseVote, UseCaseDecision, UseCaseAmendment]), AuditModule, JobsModule, MembersModule, DatasetsModule],
  controllers: [UseCasesController, UseCaseRegisterController],
  providers: [UseCaseStore, UseCaseRequestValidator, TeamConsentService, UseCasesService, ReviewsService, RegisterService, UseCaseLifecycle, UseCaseExpiryHandler],
  exports: [UseCasesService, UseCaseLifecycle, RegisterService],
})
export class EthicsModule {}
