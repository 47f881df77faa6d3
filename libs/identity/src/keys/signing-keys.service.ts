import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, JWK, KeyLike } from 'jose';
import { AuditService } from '@cadre/audit';
import { queryReturning } from '@cadre/common';
import { AppConfig } from '@cadre/config';
import { ActorCache } from '../tokens/actor-cache';
import { decryptPrivateKey, encryptPrivateKey } from './key-crypto';
import { SigningAlg, SigningKey } from './signing-key.entity';

/** Any constant shared by every process that may create or rotate keys (API, worker, keys:rotate). */
const KEYS_LOCK = 727_274_002;
/** How long a process trusts its in-memory copy before re-reading (a rotation may come from another process). */
const CACHE_TTL_MS = 30_000;
/** An unknown kid triggers a re-read at most this often, so garbage kids cannot hammer the database. */
const MISS_RELOAD_MS = 2_000;
/** A process may sign with a just-retired key until its cache expires: tolerate that on verification. */
const RETIREMENT_GRACE_MS = 2 * CACHE_TTL_MS;

export interface PublicKeyEntry {
  kid: string;
  alg: SigningAlg;
  key: KeyLike;
  jwk: JWK;
  status: 'active' | 'retired';
  retiredAt: Date | null;
}

interface KeyCache {
  loadedAt: number;
  active: { kid: string; alg: SigningAlg; key: KeyLike };
  byKid: Map<string, PublicKeyEntry>;
}

/**
 * The platform's signing keys: exactly one active key signs; retired keys keep verifying.
 *
 * Publication policy: every key ever created stays in the JWKS, forever. Record
 * signatures (adherences, decisions, contracts, results) must verify offline for as
 * long as the records matter, and any key may have signed one, so no key is ever
 * dropped from /.well-known/jwks.json. Access tokens are stricter: a retired key
 * verifies them only until retired_at + access-token TTL (every token it signed has
 * expired by then), see acceptsTokens().
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private cache: KeyCache | undefined;
  private loading: Promise<KeyCache> | undefined;
  private lastMissReload = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly actors: ActorCache,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ensureActiveKey();
    await this.reload();
  }

  /** Creates the first key if none is active; safe when several processes boot together. */
  async ensureActiveKey(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEYS_LOCK]);
      if (await em.getRepository(SigningKey).existsBy({ status: 'active' })) return;
      const created = await this.insertKey(em);
      await this.audit.append(em, { actorId: null, action: 'signing_key.created', subjectType: 'SigningKey', subjectId: created.kid, data: { alg: created.alg } });
    });
  }

  /** Retires the active key and creates a new one (`npm run keys:rotate`). */
  async rotate(em?: EntityManager): Promise<{ retiredKid: string | null; activeKid: string }> {
    const run = async (tx: EntityManager) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [KEYS_LOCK]);
      const retired = await queryReturning<{ kid: string }>(tx, `UPDATE cadre.signing_keys SET status = 'retired', retired_at = now() WHERE status = 'active' RETURNING kid`);
      const created = await this.insertKey(tx);
      await this.audit.append(tx, {
        actorId: null,
        action: 'signing_key.rotated',
        subjectType: 'SigningKey',
        subjectId: created.kid,
        data: { alg: created.alg, retiredKid: retired[0]?.kid ?? null },
      });
      return { retiredKid: retired[0]?.kid ?? null, activeKid: created.kid };
    };
    const result = em ? await run(em) : await this.dataSource.transaction(run);
    this.cache = undefined;
    // Which keys open tokens has changed: no token verified with the old set is reused.
    this.actors.clear();
    if (!em) await this.reload();
    return result;
  }

  /** The key new tokens and records are signed with. */
  async activeKey(): Promise<KeyCache['active']> {
    return (await this.current()).active;
  }

  /** A known platform key by kid (active or retired), or undefined. */
  async publicKey(kid: string | undefined): Promise<PublicKeyEntry | undefined> {
    if (!kid) return undefined;
    let found = (await this.current()).byKid.get(kid);
    if (!found && Date.now() - this.lastMissReload > MISS_RELOAD_MS) {
      this.lastMissReload = Date.now();
      found = (await this.reload()).byKid.get(kid);
    }
    return found;
  }

  /** Whether a key may still verify access tokens (records are verified with any known key). */
  acceptsTokens(entry: PublicKeyEntry, now = Date.now()): boolean {
    if (entry.status === 'active' || !entry.retiredAt) return true;
    return entry.retiredAt.getTime() + this.config.accessTokenTtl * 1000 + RETIREMENT_GRACE_MS > now;
  }

  /** The public JWKS: every key, active first (see the publication policy above). */
  async jwks(): Promise<{ keys: JWK[] }> {
    const entries = [...(await this.current()).byKid.values()];
    entries.sort((a, b) => (a.status === b.status ? 0 : a.status === 'active' ? -1 : 1));
    return { keys: entries.map((e) => e.jwk) };
  }

  private async current(): Promise<KeyCache> {
    if (this.cache && Date.now() - this.cache.loadedAt < CACHE_TTL_MS) return this.cache;
    return this.reload();
  }

  private reload(): Promise<KeyCache> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<KeyCache> {
    const rows = await this.dataSource.getRepository(SigningKey).find({ order: { createdAt: 'DESC' } });
    const byKid = new Map<string, PublicKeyEntry>();
    let active: KeyCache['active'] | undefined;
    for (const row of rows) {
      byKid.set(row.kid, {
        kid: row.kid,
        alg: row.alg,
        key: (await importJWK(row.publicJwk, row.alg)) as KeyLike,
        jwk: row.publicJwk,
        status: row.status,
        retiredAt: row.retiredAt,
      });
      if (row.status === 'active') {
        const privateJwk = JSON.parse(decryptPrivateKey(this.config.masterKey, row.kid, row.privateKeyEnc)) as JWK;
        active = { kid: row.kid, alg: row.alg, key: (await importJWK(privateJwk, row.alg)) as KeyLike };
      }
    }
    if (!active) throw new Error('no active signing key');
    this.cache = { loadedAt: Date.now(), active, byKid };
    return this.cache;
  }

  private async insertKey(em: EntityManager): Promise<SigningKey> {
    const alg = this.config.signingAlg;
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const bare = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(bare);
    const privateJwk = await exportJWK(privateKey);
    const repo = em.getRepository(SigningKey);
    return repo.save(
      repo.create({
        kid,
        alg,
        publicJwk: { ...bare, kid, alg, use: 'sig' },
        privateKeyEnc: encryptPrivateKey(this.config.masterKey, kid, JSON.stringify(privateJwk)),
        status: 'active',
        retiredAt: null,
      }),
    );
  }
}
