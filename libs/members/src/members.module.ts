import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@cadre/audit';
import { IdentityModule } from '@cadre/identity';
import { JobsModule } from '@cadre/jobs';
import { Adherence } from './adherence.entity';
import { AdherencesService } from './adherences.service';
import { BootstrapService } from './bootstrap.service';
import { Charter } from './charter.entity';
import { CharterRegisterController, ChartersController } from './charters.controller';
import { ChartersService } from './charters.service';
import { MemberStandingGuard } from './member-standing.guard';
import { MembershipPolicy } from './membership.policy';
import { OrganisationKey } from './organisation-key.entity';
import { OrganisationKeysService } from './organisation-keys.service';
import { Organisation } from './organisation.entity';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsService } from './organisations.service';

/** Members of the trust framework: organisations, their keys, the charter and adherences to it. */
@Module({
  imports: [TypeOrmModule.forFeature([Organisation, Charter, Adherence, OrganisationKey]), AuditModule, JobsModule, IdentityModule],
  controllers: [OrganisationsController, ChartersController, CharterRegisterController],
  providers: [
    BootstrapService,
    OrganisationsService,
    ChartersService,
    AdherencesService,
    OrganisationKeysService,
    MembershipPolicy,
    { provide: APP_GUARD, useClass: MemberStandingGuard },
  ],
  exports: [OrganisationsService, OrganisationKeysService, MembershipPolicy, BootstrapService],
})
export class MembersModule {}
