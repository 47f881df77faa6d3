import { findNulCharacter, jsonDepthExceeds } from './request-body';

describe('request body checks', () => {
  it('measures nesting on the raw text, ignoring brackets inside strings and escaped quotes', () => {
    expect(jsonDepthExceeds('{"a":[[1]]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":[[[1]]]}', 3)).toBe(true);
    expect(jsonDepthExceeds(`{"a":"${'['.repeat(100)}"}`, 3)).toBe(false);
    expect(jsonDepthExceeds(`{"a":"\\"[[[[[["}`, 3)).toBe(false);
  });

  it('stops at the limit instead of walking a hostile body whole', () => {
    const deep = '['.repeat(1_000_000);
    const started = process.hrtime.bigint();
    expect(jsonDepthExceeds(deep, 32)).toBe(true);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
  });

  it('names the path of the first NUL character, in a key or a value', () => {
    expect(findNulCharacter({ a: 'fine', b: [{ c: 'x\u0000' }] })).toBe('b[0].c');
    expect(findNulCharacter({ ['k\u0000']: 1 })).toBe('(body)');
    expect(findNulCharacter({ a: ['ok', 1, null, true] })).toBeUndefined();
  });
});
