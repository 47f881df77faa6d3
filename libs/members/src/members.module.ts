import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@cadre/audit';
import { IdentityModule } from '@cadre/identity';
import { JobsModule } from '@cadre/jobs';
import { Adherence } from './adherence.entity';
import { AdherencesService } from './adherences.service';
import { BootstrapService } from './bootstrap.service';
import { Charter } from './charter.entity';
import { ChartersService } from './charters.service';
import { MembershipPolicy } from './membership.policy';
import { OrganisationKey } from './organisation-key.entity';
import { OrganisationKeysService } from './organisation-keys.service';
import { Organisation } from './organisation.entity';
import { OrganisationsService } from './organisations.service';

/**
 * Members of the trust framework: organisations, their keys, the charter and adherences to it.
 * No controller and no guard (MembersHttpModule has them), so the worker and the CLI import it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Organisation, Charter, Adherence, OrganisationKey]), AuditModule, JobsModule, IdentityModule],
  providers: [BootstrapService, OrganisationsService, ChartersService, AdherencesService, OrganisationKeysService, MembershipPolicy],
  // ChartersService and AdherencesService are for MembersHttpModule (index.ts does not export them).
  exports: [OrganisationsService, OrganisationKeysService, MembershipPolicy, BootstrapService, ChartersService, AdherencesService],
})
export class MembersModule {}
