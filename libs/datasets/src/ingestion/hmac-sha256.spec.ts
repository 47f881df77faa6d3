import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { HmacSha256 } from './hmac-sha256';

const reference = (key: Uint8Array | string, msg: Uint8Array) => createHmac('sha256', key).update(msg).digest('hex');

describe('HmacSha256 (precomputed keyed states)', () => {
  it('matches the RFC 4231 test case 2', () => {
    expect(new HmacSha256('Jefe').hex('what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('equals node:crypto for any key and message, across every padding boundary', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.uint8Array({ minLength: 0, maxLength: 300 }), (key, msg) => {
        const hmac = new HmacSha256(key);
        const out = Buffer.alloc(64);
        hmac.hexInto(msg, 0, msg.length, out, 0);
        expect(out.toString('latin1')).toBe(reference(key, msg));
      }),
      { numRuns: 500 },
    );
    const hmac = new HmacSha256('k');
    for (let len = 0; len <= 200; len++) {
      const msg = Buffer.alloc(len, 0x41 + (len % 26));
      expect(hmac.hex(msg.toString('latin1'))).toBe(reference('k', msg));
    }
  });

  it('hashes a slice in place and writes at an offset, leaving the rest of the buffer alone', () => {
    const hmac = new HmacSha256('slice-key');
    const src = Buffer.from('xx,185072A123,yy');
    const out = Buffer.alloc(70, 0x2e);
    hmac.hexInto(src, 3, 13, out, 3);
    expect(out.subarray(3, 67).toString('latin1')).toBe(reference('slice-key', Buffer.from('185072A123')));
    expect(out.subarray(0, 3).toString()).toBe('...');
    expect(out.subarray(67).toString()).toBe('...');
  });

  it('keeps one instance correct across many values (no state leaks between calls)', () => {
    const hmac = new HmacSha256('reused');
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => expect(hmac.hex(s)).toBe(reference('reused', Buffer.from(s, 'utf8')))), { numRuns: 300 });
  });
});
