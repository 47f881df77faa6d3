import { ActorCache } from '../tokens/actor-cache';
import type { AccessTokensService } from '../tokens/access-tokens.service';
import type { SessionsService } from '../tokens/sessions.service';
import type { UsersService } from '../users/users.service';
import type { OidcVerifier } from './oidc-verifier';
import { RequestAuthenticator } from './request-authenticator';

/** The collaborators of a platform token's resolution, stubbed: each counts its calls, the session check can be held open. */
function setup() {
  const calls = { verify: 0, session: 0, user: 0 };
  let release: (alive: boolean) => void = () => undefined;
  let held: Promise<boolean> | null = null;
  const hold = () => (held = new Promise<boolean>((r) => (release = r)));
  const tokens = { verify: async () => (calls.verify++, { sub: 'u1', sid: 's1', exp: Math.floor(Date.now() / 1000) + 600 }) } as unknown as AccessTokensService;
  const sessions = { isAlive: async () => (calls.session++, held ?? true) } as unknown as SessionsService;
  const users = {
    findById: async () => (calls.user++, { id: 'u1', email: 'u1@cadre.test', displayName: 'U1', organisationId: 'org', roles: ['researcher'], platformRoles: [], active: true }),
  } as unknown as UsersService;
  const oidc = { claimsExternalIssuer: () => false } as unknown as OidcVerifier;
  const cache = new ActorCache();
  const auth = new RequestAuthenticator(tokens, oidc, users, sessions, cache);
  const request = () => ({ headers: { authorization: 'Bearer token-1' } });
  return { calls, hold, release: (alive: boolean) => release(alive), cache, auth, request };
}

describe('RequestAuthenticator', () => {
  it('resolves a token once for all the requests that miss the cache together', async () => {
    const { calls, hold, release, auth, request } = setup();
    hold();
    const pending = Array.from({ length: 20 }, () => auth.actorOf(request()));
    release(true);
    const actors = await Promise.all(pending);
    expect(actors.every((a) => a.id === 'u1')).toBe(true);
    expect(calls).toEqual({ verify: 1, session: 1, user: 1 });
  });

  it('shares a refusal the same way: every request of the burst is refused', async () => {
    const { calls, hold, release, auth, request } = setup();
    hold();
    const pending = Array.from({ length: 5 }, () => auth.actorOf(request()));
    release(false);
    const settled = await Promise.allSettled(pending);
    expect(settled.map((s) => s.status)).toEqual(Array(5).fill('rejected'));
    expect(calls.session).toBe(1);
  });

  it('does not let a request that comes after a logout join a resolution that started before it', async () => {
    const { calls, hold, release, cache, auth, request } = setup();
    hold();
    const before = auth.actorOf(request());
    cache.forgetSession('s1'); // the session ends while the first check is under way
    const after = auth.actorOf(request());
    expect(calls.verify).toBe(2); // the second request checks afresh
    release(true);
    await Promise.all([before, after]);
  });
});
