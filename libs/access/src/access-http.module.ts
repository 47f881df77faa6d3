import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessModule } from './access.module';
import { PoliciesGuard } from './policies.guard';

/** The global PoliciesGuard (apps/api only). Needs IdentityModule (global) for ActorSource. */
@Module({
  imports: [AccessModule],
  providers: [{ provide: APP_GUARD, useClass: PoliciesGuard }],
})
export class AccessHttpModule {}
