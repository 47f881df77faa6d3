import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { ChainVerifier, ChainedEvent, GENESIS_HASH, hashEvent } from './audit-chain';

const KEY = 'test-audit-key-0123456789';

/** Builds a chain with the code under test; assertions recompute hashes independently. */
function chain(length: number): (ChainedEvent & { hash: string })[] {
  const out: (ChainedEvent & { hash: string })[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const event: ChainedEvent = {
      seq,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      actorId: null,
      action: 'probe.recorded',
      subjectType: 'Probe',
      subjectId: `p-${seq}`,
      organisationIds: [],
      data: { n: seq },
      prevHash,
    };
    const hash = hashEvent(event, KEY);
    out.push({ ...event, hash });
    prevHash = hash;
  }
  return out;
}

function verify(events: (ChainedEvent & { hash: string })[], checkpoint?: { seq: number; headHash: string }) {
  const verifier = new ChainVerifier(KEY, checkpoint);
  events.forEach((e) => verifier.push(e));
  return verifier.result();
}

describe('audit hash chaining', () => {
  it('hashes HMAC-SHA-256 (keyed) of prevHash followed by the RFC 8785 form of the event (keys sorted, no spaces)', () => {
    const event: ChainedEvent = {
      seq: 1,
      at: '2026-01-01T00:00:00.000Z',
      actorId: '00000000-0000-4000-8000-000000000001',
      action: 'organisation.created',
      subjectType: 'Organisation',
      subjectId: 'o1',
      organisationIds: ['00000000-0000-4000-8000-000000000002'],
      data: { zeta: 1, alpha: 'x' },
      prevHash: GENESIS_HASH,
    };
    // Written out by hand: keys in code-point order at every level.
    const canonical =
      '{"action":"organisation.created","actorId":"00000000-0000-4000-8000-000000000001","at":"2026-01-01T00:00:00.000Z",' +
      '"data":{"alpha":"x","zeta":1},"organisationIds":["00000000-0000-4000-8000-000000000002"],' +
      `"prevHash":"${GENESIS_HASH}","seq":1,"subjectId":"o1","subjectType":"Organisation"}`;
    const expected = createHmac('sha256', KEY).update(GENESIS_HASH + canonical, 'utf8').digest('hex');
    expect(hashEvent(event, KEY)).toBe(expected);
  });

  it('does not depend on the key order of data, but on every value', () => {
    const base = chain(1)[0];
    const { hash: _hash, ...event } = base;
    expect(hashEvent({ ...event, data: { b: 2, a: 1 } }, KEY)).toBe(hashEvent({ ...event, data: { a: 1, b: 2 } }, KEY));
    expect(hashEvent({ ...event, data: { a: 1, b: 3 } }, KEY)).not.toBe(hashEvent({ ...event, data: { a: 1, b: 2 } }, KEY));
    expect(hashEvent({ ...event, prevHash: 'f'.repeat(64) }, KEY)).not.toBe(hashEvent(event, KEY));
  });

  it('refuses an event appended by someone without the key (plain SHA-256, or another key), as a database user could', () => {
    const events = chain(3);
    const { hash: _h, ...last } = events[2];
    const plain = createHash('sha256').update(last.prevHash).update(JSON.stringify(last)).digest('hex');
    expect(verify([...events.slice(0, 2), { ...last, hash: plain }])).toMatchObject({ valid: false, brokenAtSeq: 3, reason: 'hash_mismatch' });
    expect(verify([...events.slice(0, 2), { ...last, hash: hashEvent(last, 'guessed-key-0123456789') }])).toMatchObject({ valid: false, brokenAtSeq: 3, reason: 'hash_mismatch' });
  });

  it('starts from the genesis hash of 64 zeros', () => {
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
    expect(chain(3)[0].prevHash).toBe(GENESIS_HASH);
  });

  it('accepts an intact chain and reports its head and length', () => {
    const events = chain(5);
    expect(verify(events)).toEqual({ valid: true, events: 5, headHash: events[4].hash });
    expect(verify([])).toEqual({ valid: true, events: 0, headHash: GENESIS_HASH });
  });

  it('reports an edited event at its own seq, whichever event it is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.nat(), (length, pick) => {
        const events = chain(length);
        const k = (pick % length) + 1;
        events[k - 1] = { ...events[k - 1], data: { n: -1 } };
        const result = verify(events);
        expect(result).toMatchObject({ valid: false, brokenAtSeq: k, reason: 'hash_mismatch', events: length });
      }),
    );
  });

  it('reports a deleted event at the missing seq', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.nat(), (length, pick) => {
        const events = chain(length);
        const k = (pick % (length - 1)) + 1; // any but the last: a tail deletion needs a checkpoint
        events.splice(k - 1, 1);
        expect(verify(events)).toMatchObject({ valid: false, brokenAtSeq: k, reason: 'seq_gap' });
      }),
    );
  });

  it('catches an event rewritten with a recomputed hash at the next event', () => {
    const events = chain(6);
    const { hash: _old, ...forged } = { ...events[2], data: { n: 999 } };
    events[2] = { ...forged, hash: hashEvent(forged, KEY) };
    expect(verify(events)).toMatchObject({ valid: false, brokenAtSeq: 4, reason: 'prev_hash_mismatch' });
  });

  it('catches a truncated tail and a rewritten head against a signed checkpoint', () => {
    const events = chain(6);
    expect(verify(events.slice(0, 4), { seq: 6, headHash: events[5].hash })).toMatchObject({ valid: false, brokenAtSeq: 5, reason: 'truncated' });
    expect(verify(events, { seq: 6, headHash: 'a'.repeat(64) })).toMatchObject({ valid: false, brokenAtSeq: 6, reason: 'checkpoint_mismatch' });
    expect(verify(events, { seq: 4, headHash: events[3].hash })).toMatchObject({ valid: true, events: 6 });
    // Several published heads: the furthest one bounds the length.
    const verifier = new ChainVerifier(KEY, [{ seq: 2, headHash: events[1].hash }, { seq: 5, headHash: events[4].hash }]);
    events.slice(0, 3).forEach((e) => verifier.push(e));
    expect(verifier.result()).toMatchObject({ valid: false, brokenAtSeq: 4, reason: 'truncated' });
  });
});
