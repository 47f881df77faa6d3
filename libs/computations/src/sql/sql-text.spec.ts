import { quoteIdent, SqlParams, vaultTable } from './sql-text';

describe('quoteIdent', () => {
  it('wraps in double quotes and doubles inner quotes', () => {
    expect(quoteIdent('icuDays')).toBe('"icuDays"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('x"; DROP TABLE t; --')).toBe('"x""; DROP TABLE t; --"');
  });

  it('refuses what is no PostgreSQL identifier', () => {
    expect(() => quoteIdent('')).toThrow();
    expect(() => quoteIdent('a\0b')).toThrow();
    expect(() => quoteIdent('é'.repeat(32))).toThrow(/too long/);
  });
});

describe('vaultTable', () => {
  it('qualifies a catalogue table name with the vault schema', () => {
    expect(vaultTable('ds_0123_v1')).toBe('vault."ds_0123_v1"');
    expect(vaultTable('vault.ds_0123_v1')).toBe('vault."ds_0123_v1"');
  });
  it.each(['cadre.users', 'ds_1; DROP TABLE x', 'DS_1', '"ds_1"', 'public.ds_1'])('refuses %s', (name) => {
    expect(() => vaultTable(name)).toThrow();
  });
});

describe('SqlParams', () => {
  it('numbers positional parameters with their cast', () => {
    const p = new SqlParams();
    expect(p.add(1, 'bigint')).toBe('$1::bigint');
    expect(p.add(['a'], 'text[]')).toBe('$2::text[]');
    expect(p.values).toEqual([1, ['a']]);
  });
  it('refuses a cast that is not a plain type name', () => {
    expect(() => new SqlParams().add(1, 'int); DROP TABLE x; --')).toThrow();
  });
});
