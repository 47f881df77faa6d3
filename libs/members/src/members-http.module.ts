import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessModule } from '@cadre/access';
import { CharterRegisterController, ChartersController } from './charters.controller';
import { MemberStandingGuard } from './member-standing.guard';
import { MembersModule } from './members.module';
import { OrganisationsController } from './organisations.controller';

/** The members' routes and the global MemberStandingGuard (apps/api only). */
@Module({
  imports: [MembersModule, AccessModule],
  controllers: [OrganisationsController, ChartersController, CharterRegisterController],
  providers: [{ provide: APP_GUARD, useClass: MemberStandingGuard }],
})
export class MembersHttpModule {}
