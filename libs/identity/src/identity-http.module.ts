import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '@cadre/audit';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { LoginThrottle } from './auth/login-throttle';
import { IdentityModule } from './identity.module';
import { JwksController } from './keys/jwks.controller';
import { UsersController } from './users/users.controller';

/**
 * The identity routes (apps/api only): login, tokens, users, JWKS, the login throttle and the global
 * AuthGuard. Import it before the other HTTP modules: global guards run in module order, and the
 * AuthGuard must run first.
 */
@Module({
  imports: [IdentityModule, AuditModule],
  controllers: [AuthController, UsersController, JwksController],
  providers: [LoginThrottle, AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class IdentityHttpModule {}
