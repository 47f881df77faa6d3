import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { SHORT_HMAC_MAX_BYTES, ShortHmacSha256 } from './short-hmac';

const native = (key: Buffer, value: string) => createHmac('sha256', key).update(value, 'utf8').digest('hex');

describe('ShortHmacSha256', () => {
  // RFC 4231, section 4: the test cases whose data is ASCII text.
  it.each([
    ['case 1', Buffer.alloc(20, 0x0b), 'Hi There', 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    ['case 2', Buffer.from('Jefe'), 'what do ya want for nothing?', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['case 6 (key longer than a block)', Buffer.alloc(131, 0xaa), 'Test Using Larger Than Block-Size Key - Hash Key First', '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
  ])('gives RFC 4231 %s', (_name, key, data, mac) => {
    expect(new ShortHmacSha256(key).hex(data)).toBe(mac);
  });

  it('gives what node:crypto gives for any key and any ASCII value of one block', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.array(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: SHORT_HMAC_MAX_BYTES }), { maxLength: 8 }), (key, values) => {
        const hmac = new ShortHmacSha256(Buffer.from(key));
        for (const v of values) expect(hmac.hex(v)).toBe(native(Buffer.from(key), v));
      }),
      { numRuns: 2000 },
    );
  });

  it('hands back what it cannot take: a value longer than one block, or not ASCII', () => {
    const hmac = new ShortHmacSha256(Buffer.from('key'));
    expect(hmac.hex('x'.repeat(SHORT_HMAC_MAX_BYTES))).toBe(native(Buffer.from('key'), 'x'.repeat(SHORT_HMAC_MAX_BYTES)));
    expect(hmac.hex('x'.repeat(SHORT_HMAC_MAX_BYTES + 1))).toBeNull();
    expect(hmac.hex('ÉLÉONORE')).toBeNull();
    expect(hmac.hex('P00\u0080')).toBeNull();
  });

  it('keeps nothing of one value into the next (a short value after a long one)', () => {
    const key = Buffer.from('k');
    const hmac = new ShortHmacSha256(key);
    for (const v of ['A'.repeat(55), '1', '', 'B'.repeat(54), '12']) expect(hmac.hex(v)).toBe(native(key, v));
  });
});
