import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT, compactVerify, JSONWebKeySet } from 'jose';
import { Signer, SigningKeysService } from '@cadre/identity';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';
import { login } from '../support/identity';
import { SESSION_CACHE_MS } from '../../libs/identity/src/tokens/sessions.service';

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('identity: forged tokens, the JWKS, record signatures and key rotation', () => {
  let platform: TestPlatform;
  let accessToken: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
    accessToken = (await login(platform, ADMIN.email, ADMIN.password)).accessToken;
  });
  afterAll(() => platform.close());

  const me = (token: string) => platform.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
  const jwks = async () => (await platform.http().get('/.well-known/jwks.json').expect(200)).body as JSONWebKeySet;

  it('serves a public JWKS without authentication, with no private key material', async () => {
    const set = await jwks();
    expect(set.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of set.keys) {
      expect(key).toMatchObject({ kid: expect.any(String), alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('never stores a private key in clear', async () => {
    const { rows } = await platform.owner.query(`SELECT private_key_enc, public_jwk FROM cadre.signing_keys`);
    for (const row of rows) {
      expect(row.private_key_enc).toMatch(/^v1\./);
      expect(row.private_key_enc).not.toContain('"d"');
      expect(row.public_jwk).not.toHaveProperty('d');
    }
  });

  it('issues access tokens that verify offline with only the published JWKS', async () => {
    const { payload, protectedHeader } = await jwtVerify(accessToken, createLocalJWKSet(await jwks()), {
      issuer: platform.config.jwtIssuer,
      audience: platform.config.jwtAudience,
    });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    const who = (await me(accessToken)).body;
    expect(payload).toMatchObject({ sub: who.id, org: who.organisationId, roles: ['org_admin'], proles: ['platform_admin'], jti: expect.any(String) });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  describe('refuses forged tokens with 401', () => {
    it('alg none', async () => {
      const claims = decodeJwt(accessToken);
      const forged = `${b64({ alg: 'none', typ: 'at+jwt', kid: decodeProtectedHeader(accessToken).kid })}.${b64(claims)}.`;
      expect((await me(forged)).status).toBe(401);
    });

    it('HS256 with the public key as the HMAC secret (algorithm confusion)', async () => {
      const { keys } = await jwks();
      const secret = new TextEncoder().encode(JSON.stringify(keys[0]));
      const forged = await new SignJWT(decodeJwt(accessToken)).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: keys[0].kid }).sign(secret);
      expect((await me(forged)).status).toBe(401);
    });

    it('signed with another key, even claiming a platform kid', async () => {
      const { privateKey } = await generateKeyPair('EdDSA');
      const kid = decodeProtectedHeader(accessToken).kid!;
      const forged = await new SignJWT(decodeJwt(accessToken)).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid }).sign(privateKey);
      expect((await me(forged)).status).toBe(401);
      const ownKid = await new SignJWT(decodeJwt(accessToken)).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'attacker-key' }).sign(privateKey);
      expect((await me(ownKid)).status).toBe(401);
    });

    it('with an embedded attacker JWK in the header', async () => {
      const { privateKey, publicKey } = await generateKeyPair('EdDSA');
      const forged = await new SignJWT(decodeJwt(accessToken))
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', jwk: await exportJWK(publicKey) })
        .sign(privateKey);
      expect((await me(forged)).status).toBe(401);
    });

    it('expired, wrong audience, wrong issuer (each signed with the real platform key)', async () => {
      const keys = platform.app.get(SigningKeysService);
      const { kid, alg, key } = await keys.activeKey();
      const claims = decodeJwt(accessToken);
      const now = Math.floor(Date.now() / 1000);
      const sign = (over: Record<string, unknown>) =>
        new SignJWT({ ...claims, ...over }).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(key);
      // Control: the same forge with correct claims is accepted, so the refusals below are about the claim.
      expect((await me(await sign({ jti: 'control' }))).status).toBe(200);
      expect((await me(await sign({ iat: now - 2000, exp: now - 1000 }))).status).toBe(401);
      expect((await me(await sign({ aud: 'urn:someone-else' }))).status).toBe(401);
      expect((await me(await sign({ iss: 'urn:evil' }))).status).toBe(401);
    });

    it('a record signature presented as an access token', async () => {
      const claims = decodeJwt(accessToken);
      const jws = await platform.app.get(Signer).sign(claims);
      expect((await me(jws)).status).toBe(401);
    });

    it('a tampered payload (roles escalated) under the original signature', async () => {
      const [h, p, s] = accessToken.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const tampered = `${h}.${b64({ ...claims, roles: ['org_admin', 'data_steward', 'researcher'], proles: ['platform_admin', 'ethics_committee'] })}.${s}`;
      expect((await me(tampered)).status).toBe(401);
    });

    it('the token of a deleted user', async () => {
      const { rows } = await platform.owner.query(`SELECT id FROM cadre.organisations WHERE is_operator`);
      const [user] = (
        await platform.owner.query(
          `INSERT INTO cadre.users (email, password_hash, display_name, organisation_id, roles) VALUES ('gone@cadre.test', 'x', 'Gone', $1, '{}') RETURNING id, email, display_name, organisation_id`,
          [rows[0].id],
        )
      ).rows;
      // A live session for the user, named by the token (tokens without one are refused).
      const [session] = (
        await platform.owner.query(
          `INSERT INTO cadre.refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES ('x', gen_random_uuid(), $1, now() + interval '1 hour') RETURNING family_id`,
          [user.id],
        )
      ).rows;
      const keys = platform.app.get(SigningKeysService);
      const { kid, alg, key } = await keys.activeKey();
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ org: user.organisation_id, roles: [], proles: [], sid: session.family_id })
        .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
        .setSubject(user.id)
        .setIssuer(platform.config.jwtIssuer)
        .setAudience(platform.config.jwtAudience)
        .setJti('t')
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(key);
      expect((await me(token)).status).toBe(200);
      await platform.owner.query(`DELETE FROM cadre.users WHERE id = $1`, [user.id]);
      // Deleted behind the platform's back (no in-process path deletes users): the per-token
      // actor cache (issue 12) learns it within SESSION_CACHE_MS, as for another process's revocation.
      await new Promise((r) => setTimeout(r, SESSION_CACHE_MS + 100));
      expect((await me(token)).status).toBe(401);
    });
  });

  it('signs records as JWS over canonical JSON, verifiable offline, refused once one payload byte changes', async () => {
    const signer = platform.app.get(Signer);
    const record = { z: 1, a: { y: 'é', b: [3, 2, 1] }, signedAt: '2026-01-01T00:00:00Z' };
    const jws = await signer.sign(record);
    expect(decodeProtectedHeader(jws)).toMatchObject({ alg: 'EdDSA', typ: 'cadre-record+jws', kid: expect.any(String) });

    const keySet = createLocalJWKSet(await jwks());
    const { payload } = await compactVerify(jws, keySet);
    // RFC 8785: keys sorted, no whitespace.
    expect(new TextDecoder().decode(payload)).toBe('{"a":{"b":[3,2,1],"y":"é"},"signedAt":"2026-01-01T00:00:00Z","z":1}');

    const [h, p, s] = jws.split('.');
    const bytes = Buffer.from(p, 'base64url');
    bytes[bytes.length - 2] ^= 0x01; // the last digit of "z":1 becomes "z":0
    const tampered = `${h}.${bytes.toString('base64url')}.${s}`;
    await expect(compactVerify(tampered, keySet)).rejects.toThrow();
    expect(await signer.verify(tampered)).toEqual({ valid: false });
    expect(await signer.verify(jws)).toEqual({ valid: true, payload: record, kid: decodeProtectedHeader(jws).kid });
    expect(await signer.verify('garbage')).toEqual({ valid: false });
    expect(await signer.verify(accessToken)).toEqual({ valid: false }); // an access token is not a record
  });

  it('rotation keeps old tokens valid until they expire and old record signatures verifiable forever', async () => {
    const keys = platform.app.get(SigningKeysService);
    const signer = platform.app.get(Signer);
    const oldToken = (await login(platform, ADMIN.email, ADMIN.password)).accessToken;
    const oldRecord = await signer.sign({ decision: 'approved', useCaseId: 'uc-1' });
    const oldKid = decodeProtectedHeader(oldToken).kid;

    const { retiredKid, activeKid } = await keys.rotate();
    expect(retiredKid).toBe(oldKid);
    expect(activeKid).not.toBe(oldKid);

    const newToken = (await login(platform, ADMIN.email, ADMIN.password)).accessToken;
    expect(decodeProtectedHeader(newToken).kid).toBe(activeKid);
    expect((await me(oldToken)).status).toBe(200);
    expect((await me(newToken)).status).toBe(200);

    const set = await jwks();
    expect(set.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, activeKid]));
    expect(set.keys[0].kid).toBe(activeKid);
    await expect(compactVerify(oldRecord, createLocalJWKSet(set))).resolves.toBeDefined();
    expect((await signer.verify(oldRecord)).valid).toBe(true);

    // Long after the retirement (older than any token the old key could have signed), the key no
    // longer opens tokens, but it stays published and keeps verifying records.
    await platform.owner.query(`UPDATE cadre.signing_keys SET retired_at = now() - interval '2 hours' WHERE kid = $1`, [oldKid]);
    await keys.rotate(); // reloads the cache (and proves a second rotation works)
    const { rows } = await platform.owner.query(`SELECT count(*)::int AS active FROM cadre.signing_keys WHERE status = 'active'`);
    expect(rows[0].active).toBe(1);
    expect((await me(oldToken)).status).toBe(401);
    expect((await jwks()).keys.map((k) => k.kid)).toContain(oldKid);
    expect((await signer.verify(oldRecord)).valid).toBe(true);
    await expect(compactVerify(oldRecord, createLocalJWKSet(await jwks()))).resolves.toBeDefined();
  });
});
