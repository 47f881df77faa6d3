import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule, ActorSource } from '@cadre/access';
import { AuditModule } from '@cadre/audit';
import { OidcVerifier } from './auth/oidc-verifier';
import { RequestAuthenticator } from './auth/request-authenticator';
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
import { UsersService } from './users/users.service';

/**
 * Users, tokens and signing keys: what the API, the worker and the CLI share. No controller and no
 * global guard (those are IdentityHttpModule's, the API's only). Global: every context needs the
 * Signer, UsersService and the ActorSource behind the PoliciesGuard.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([User, SigningKey, RefreshToken]), AccessModule, AuditModule],
  providers: [
    UsersService,
    UserAdminService,
    SigningKeysService,
    Signer,
    AccessTokensService,
    RefreshTokensService,
    SessionsService,
    ActorCache,
    OidcVerifier,
    RequestAuthenticator,
    { provide: ActorSource, useExisting: RequestAuthenticator },
  ],
  // The token and session services are for IdentityHttpModule (index.ts does not export them).
  exports: [UsersService, UserAdminService, Signer, SigningKeysService, RequestAuthenticator, ActorSource, AccessModule, AccessTokensService, RefreshTokensService, SessionsService],
})
export class IdentityModule {}
