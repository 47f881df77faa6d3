import type { ColumnDescriptor } from '../catalogue/column-schema';
import { completenessSql, toCompleteness } from './completeness';

const COLUMNS = [
  { name: 'nir', type: 'text', role: 'linkage_key' },
  { name: 'a"b', type: 'integer', role: 'attribute' },
] as ColumnDescriptor[];

describe('completeness', () => {
  it('asks only for counts, with positional aliases and quoted identifiers', () => {
    const sql = completenessSql('ds_0123456789abcdef0123456789abcdef_v1', COLUMNS);
    expect(sql).toBe('SELECT count(*)::bigint AS total, count("nir")::bigint AS c0, count("a""b")::bigint AS c1 FROM vault."ds_0123456789abcdef0123456789abcdef_v1"');
  });

  it('turns counts into whole percentages (2 of 3 → 67, 1 of 3 → 33)', () => {
    expect(toCompleteness(COLUMNS, { total: '3', c0: '2', c1: '1' })).toEqual([
      { column: 'nir', nonNullPercent: 67 },
      { column: 'a"b', nonNullPercent: 33 },
    ]);
  });

  it('calls an empty version complete rather than dividing by zero', () => {
    expect(toCompleteness(COLUMNS, { total: '0', c0: '0', c1: '0' }).map((c) => c.nonNullPercent)).toEqual([100, 100]);
  });
});
