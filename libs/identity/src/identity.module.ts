import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule, ActorSource } from '@cadre/access';
import { AuditModule } from '@cadre/audit';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { LoginThrottle } from './auth/login-throttle';
import { OidcVerifier } from './auth/oidc-verifier';
import { RequestAuthenticator } from './auth/request-authenticator';
import { JwksController } from './keys/jwks.controller';
import { Signer } from './keys/signer';
import { SigningKey } from './keys/signing-key.entity';
import { SigningKeysService } from './keys/signing-keys.service';
import { AccessTokensService } from './tokens/access-tokens.service';
import { RefreshToken } from './tokens/refresh-token.entity';
import { RefreshTokensService } from './tokens/refresh-tokens.service';
import { SessionsService } from './tokens/sessions.service';
import { ActorCache } from './tokens/actor-cache';
import { UserAdminService } from './users/user-admin.service';
import { User } from './users/user.entity';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/**
 * Users, tokens, signing keys and the global AuthGuard. Global: every context needs the
 * Signer, UsersService and the ActorSource behind the PoliciesGuard.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([User, SigningKey, RefreshToken]),
    AccessModule,
    AuditModule,
  ],
  controllers: [AuthController, UsersController, JwksController],
  providers: [
    UsersService,
    UserAdminService,
    SigningKeysService,
    Signer,
    AccessTokensService,
    RefreshTokensService,
    SessionsService,
    ActorCache,
    LoginThrottle,
    AuthService,
    OidcVerifier,
    RequestAuthenticator,
    { provide: ActorSource, useExisting: RequestAuthenticator },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UsersService, Signer, SigningKeysService, RequestAuthenticator, ActorSource, AccessModule],
})
export class IdentityModule {}
