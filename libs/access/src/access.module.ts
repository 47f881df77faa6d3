import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AbilityFactory } from './ability.factory';
import { PoliciesGuard } from './policies.guard';

/** CASL abilities and the global PoliciesGuard. Needs IdentityModule (global) for ActorSource. */
@Module({
  providers: [AbilityFactory, { provide: APP_GUARD, useClass: PoliciesGuard }],
  exports: [AbilityFactory],
})
export class AccessModule {}
