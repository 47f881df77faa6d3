import fc from 'fast-check';
import { normaliseLinkageValue, pseudonymise, pseudonymiser } from './pseudonym';

describe('pseudonymiser: the prepared pseudonym function', () => {
  it('gives exactly what createHmac gives, for any key (ASCII, non-ASCII, empty, longer than a block) and any value', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[0-9a-f]{48}$/), fc.string({ unit: 'binary', maxLength: 70 }), fc.constant('k'.repeat(64))),
        fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom(' 1 85 07 2a ', 'ÉLÉONORE', '', 'P000000000042')), { maxLength: 5 }),
        (key, values) => {
          const prepared = pseudonymiser(key);
          for (const v of values) expect(prepared(v)).toBe(pseudonymise(key, v));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('normaliseLinkageValue', () => {
  it('is trimmed, upper-cased and without whitespace for any value, canonical ones returned as they are', () => {
    const slow = (raw: string) => raw.trim().toUpperCase().replace(/\s+/g, '');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.stringMatching(/^[0-9A-Za-z \t\u00a0]{0,16}$/), fc.constantFrom('P000000000042', ' 1 85 07 2a ', 'ß', 'ﬁ')), (raw) => {
        expect(normaliseLinkageValue(raw)).toBe(slow(raw));
      }),
      { numRuns: 2000 },
    );
  });
});
