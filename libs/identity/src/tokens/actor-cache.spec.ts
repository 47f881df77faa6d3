import type { Actor } from '../actor';
import { ActorCache, SESSION_CACHE_MS } from './actor-cache';

const actor = (id: string): Actor => ({ id, email: `${id}@cadre.test`, displayName: id, organisationId: 'org', roles: ['researcher'], platformRoles: [] });
const NOW = 1_000_000;
const FAR = NOW + 3600_000;

describe('ActorCache', () => {
  it('answers the actor of a token it was given, until SESSION_CACHE_MS or the token expiry, whichever is first', () => {
    const cache = new ActorCache();
    cache.set('t1', actor('u1'), 's1', FAR, cache.epoch, NOW);
    cache.set('t2', actor('u2'), 's2', NOW + 10, cache.epoch, NOW);
    expect(cache.get('t1', NOW + SESSION_CACHE_MS - 1)?.actor.id).toBe('u1');
    expect(cache.get('t1', NOW + SESSION_CACHE_MS)).toBeUndefined();
    expect(cache.get('t2', NOW + 9)?.sid).toBe('s2');
    expect(cache.get('t2', NOW + 10)).toBeUndefined();
    expect(cache.get('other', NOW)).toBeUndefined();
  });

  it('forgets every token of a user, and only theirs', () => {
    const cache = new ActorCache();
    cache.set('a', actor('u1'), 's1', FAR, cache.epoch, NOW);
    cache.set('b', actor('u1'), 's2', FAR, cache.epoch, NOW);
    cache.set('c', actor('u2'), 's3', FAR, cache.epoch, NOW);
    cache.forgetUser('u1');
    expect([cache.get('a', NOW), cache.get('b', NOW), cache.get('c', NOW)?.actor.id]).toEqual([undefined, undefined, 'u2']);
  });

  it('forgets the tokens of one session, and only those', () => {
    const cache = new ActorCache();
    cache.set('a', actor('u1'), 's1', FAR, cache.epoch, NOW);
    cache.set('b', actor('u1'), 's2', FAR, cache.epoch, NOW);
    cache.forgetSession('s1');
    expect([cache.get('a', NOW), cache.get('b', NOW)?.sid]).toEqual([undefined, 's2']);
  });

  it('does not keep an actor resolved before an invalidation (it may carry the old roles)', () => {
    const cache = new ActorCache();
    const epoch = cache.epoch; // a request starts resolving the token…
    cache.forgetUser('u1'); // …the user's roles change meanwhile…
    cache.set('a', actor('u1'), 's1', FAR, epoch, NOW); // …and its answer must not be reused
    expect(cache.get('a', NOW)).toBeUndefined();
    cache.set('a', actor('u1'), 's1', FAR, cache.epoch, NOW);
    expect(cache.get('a', NOW)).toBeDefined();
  });

  it('freezes a cached actor: the requests sharing it cannot change it', () => {
    const cache = new ActorCache();
    const a = actor('u1');
    cache.set('a', a, 's1', FAR, cache.epoch, NOW);
    expect(() => (a.roles as string[]).push('org_admin')).toThrow(TypeError);
    expect(() => Object.assign(a, { organisationId: 'other' })).toThrow(TypeError);
  });
});
