import { AbilityFactory, authorize, subject } from '@cadre/access';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { calculateJwkThumbprint, importJWK } from 'jose';
import { EntityManager, Repository } from 'typeorm';
import { NotFound, PolicyViolation, WrongState } from '@cadre/common';
import { AuditService } from '@cadre/audit';
import type { Actor } from '@cadre/identity';
import { UnitOfWork } from '@cadre/jobs';
import { KeyAlreadyRegistered } from './members.errors';
import { OrganisationKey, PublicJwk } from './organisation-key.entity';
import { OrganisationsService } from './organisations.service';

export interface OrganisationKeyView {
  id: string;
  organisationId: string;
  /** RFC 7638 SHA-256 thumbprint; also the key id a JWS header must name. */
  kid: string;
  jwk: PublicJwk & { kid: string };
  /** The JOSE algorithm the key verifies: EdDSA (Ed25519) or ES256 (P-256). */
  alg: 'EdDSA' | 'ES256';
  createdAt: Date;
  revokedAt: Date | null;
}

// Any member of a JWK that belongs to a private or symmetric key.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const B64URL = /^[A-Za-z0-9_-]+$/;

const toView = (k: OrganisationKey): OrganisationKeyView => ({
  id: k.id,
  organisationId: k.organisationId,
  kid: k.kid,
  jwk: { ...k.jwk, kid: k.kid },
  alg: k.jwk.kty === 'OKP' ? 'EdDSA' : 'ES256',
  createdAt: k.createdAt,
  revokedAt: k.revokedAt ?? null,
});

/** Reduces a submitted JWK to its public members, or refuses it (422 'invalid_key'). */
export async function publicJwkOf(input: Record<string, unknown>): Promise<PublicJwk> {
  const refuse = (why: string) => new PolicyViolation('invalid_key', why, [{ field: 'jwk', message: why }]);
  if (PRIVATE_MEMBERS.some((m) => m in input)) throw refuse('Only a public key may be registered: remove the private parts');
  const { kty, crv, x, y } = input;
  let jwk: PublicJwk;
  if (kty === 'OKP' && crv === 'Ed25519' && typeof x === 'string' && B64URL.test(x) && y === undefined) {
    jwk = { kty, crv, x };
  } else if (kty === 'EC' && crv === 'P-256' && typeof x === 'string' && typeof y === 'string' && B64URL.test(x) && B64URL.test(y)) {
    jwk = { kty, crv, x, y };
  } else {
    throw refuse('The key must be an Ed25519 (OKP) or P-256 (EC) public JWK');
  }
  try {
    await importJWK(jwk, jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');
  } catch {
    throw refuse('The key is not a valid point of its curve');
  }
  return jwk;
}

/** Public keys organisations register to sign contract terms themselves. */
@Injectable()
export class OrganisationKeysService {
  constructor(
    @InjectRepository(OrganisationKey) private readonly keys: Repository<OrganisationKey>,
    private readonly organisations: OrganisationsService,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly abilities: AbilityFactory,
  ) {}

  /** An org_admin registers a public key of their organisation. */
  async register(actor: Actor, organisationId: string, input: Record<string, unknown>): Promise<OrganisationKeyView> {
    authorize(this.abilities.createForActor(actor), 'create', subject('OrganisationKey', { organisationId }), 'Only an administrator of this organisation registers its keys');
    await this.organisations.view(organisationId);
    const jwk = await publicJwkOf(input);
    const kid = await calculateJwkThumbprint(jwk, 'sha256');
    return this.uow.run(async (em) => {
      const repo = em.getRepository(OrganisationKey);
      if (await repo.existsBy({ organisationId, kid })) throw new KeyAlreadyRegistered();
      const key = await repo.save(repo.create({ organisationId, kid, jwk, createdBy: actor.id }));
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'organisation.key_registered',
        subjectType: 'Organisation',
        subjectId: organisationId,
        organisationIds: [organisationId],
        data: { keyId: key.id, kid },
      });
      return toView(key);
    });
  }

  /** The keys of an organisation, for an actor allowed to read them (its org_admins). */
  async list(actor: Actor, organisationId: string): Promise<OrganisationKeyView[]> {
    await this.organisations.view(organisationId);
    authorize(this.abilities.createForActor(actor), 'read', subject('OrganisationKey', { organisationId }));
    return this.keysOf(organisationId);
  }

  /** An org_admin revokes a key of their organisation: it signs nothing from now on (409 if already revoked). */
  async revoke(actor: Actor, organisationId: string, kid: string): Promise<OrganisationKeyView> {
    authorize(this.abilities.createForActor(actor), 'create', subject('OrganisationKey', { organisationId }), 'Only an administrator of this organisation revokes its keys');
    return this.uow.run(async (em) => {
      const repo = em.getRepository(OrganisationKey);
      const key = await repo.findOne({ where: { organisationId, kid }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw new NotFound('Key');
      if (key.revokedAt) throw new WrongState('Key', 'revoked', 'revoke');
      key.revokedAt = new Date();
      await repo.save(key);
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'organisation.key_revoked',
        subjectType: 'Organisation',
        subjectId: organisationId,
        organisationIds: [organisationId],
        data: { keyId: key.id, kid },
      });
      return toView(key);
    });
  }

  /**
   * Every public key an organisation has registered, revoked ones included with their
   * revocation time (for contracts: a new signature needs an unrevoked key; a signature
   * made before a revocation stays verifiable).
   */
  async keysOf(organisationId: string, em: EntityManager = this.keys.manager): Promise<OrganisationKeyView[]> {
    const rows = await em.getRepository(OrganisationKey).find({ where: { organisationId }, order: { createdAt: 'ASC' } });
    return rows.map(toView);
  }
}
