import { Unauthenticated } from '@cadre/common';
import { ActorCache, REFRESH_AFTER_MS, SESSION_CACHE_MS } from '../tokens/actor-cache';
import type { AccessTokensService } from '../tokens/access-tokens.service';
import type { SessionsService } from '../tokens/sessions.service';
import type { UsersService } from '../users/users.service';
import type { OidcVerifier } from './oidc-verifier';
import { RequestAuthenticator } from './request-authenticator';

/** The collaborators of a platform token's resolution, stubbed: each counts its calls, the session check can be held open. */
function setup() {
  const calls = { verify: 0, session: 0, user: 0 };
  const fresh: boolean[] = [];
  let release: (alive: boolean) => void = () => undefined;
  let held: Promise<boolean> | null = null;
  const hold = () => (held = new Promise<boolean>((r) => (release = r)));
  const tokens = { verify: async () => (calls.verify++, { sub: 'u1', sid: 's1', exp: Math.floor(Date.now() / 1000) + 600 }) } as unknown as AccessTokensService;
  const sessions = { isAlive: async (_sid: string, _user: string, f = false) => (calls.session++, fresh.push(f), held ?? true) } as unknown as SessionsService;
  const users = {
    findById: async () => (calls.user++, { id: 'u1', email: 'u1@cadre.test', displayName: 'U1', organisationId: 'org', roles: ['researcher'], platformRoles: [], active: true }),
  } as unknown as UsersService;
  const oidc = { claimsExternalIssuer: () => false } as unknown as OidcVerifier;
  const cache = new ActorCache();
  const auth = new RequestAuthenticator(tokens, oidc, users, sessions, cache);
  const request = () => ({ headers: { authorization: 'Bearer token-1' } });
  return { calls, fresh, hold, release: (alive: boolean) => release(alive), cache, auth, request };
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

  describe('refresh ahead: a token in steady use never waits for its resolution', () => {
    const T = 1_800_000_000_000;
    beforeEach(() => jest.useFakeTimers({ now: T, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
    afterEach(() => jest.useRealTimers());

    it('answers from the cache past half its life while the token is resolved again behind, with a fresh session check', async () => {
      const { calls, fresh, hold, release, auth, request } = setup();
      await auth.actorOf(request());
      expect(calls).toEqual({ verify: 1, session: 1, user: 1 });
      jest.setSystemTime(T + REFRESH_AFTER_MS - 1);
      await auth.actorOf(request());
      expect(calls.verify).toBe(1); // young entry: nothing more
      jest.setSystemTime(T + REFRESH_AFTER_MS);
      hold(); // the refresh's session check does not answer yet…
      const answered = await auth.actorOf(request()); // …and the request does not wait for it
      expect(answered.id).toBe('u1');
      expect(calls.verify).toBe(2);
      expect(fresh).toEqual([false, true]);
      await auth.actorOf(request()); // a second request meanwhile joins the refresh under way
      expect(calls.verify).toBe(2);
      release(true);
      await new Promise((r) => setImmediate(r));
      // The refreshed entry outlives the first one's SESSION_CACHE_MS: past it, a request is still
      // answered from the cache while the session check is held (and the entry, half-way again, is refreshed).
      jest.setSystemTime(T + SESSION_CACHE_MS + 100);
      hold();
      expect((await auth.actorOf(request())).id).toBe('u1');
      expect(calls.verify).toBe(3);
      release(true);
    });

    it('drops the entry at once when the refresh finds the session ended: the next request is refused', async () => {
      const { hold, release, auth, request } = setup();
      await auth.actorOf(request());
      jest.setSystemTime(T + REFRESH_AFTER_MS);
      hold();
      await auth.actorOf(request()); // served while the refresh checks the session
      release(false); // logged out elsewhere
      await new Promise((r) => setImmediate(r));
      await expect(auth.actorOf(request())).rejects.toBeInstanceOf(Unauthenticated);
    });
  });
});
