import { parseQuery } from './query';

const H = { datasetId: '0a000000-0000-4000-8000-000000000001', as: 'h' };
const base = { datasets: [H], measures: [{ fn: 'count' }] };

function refusal(query: unknown): { code: string; errors?: { field: string }[] } {
  try {
    parseQuery(query);
  } catch (e) {
    return e as { code: string; errors?: { field: string }[] };
  }
  throw new Error('accepted');
}

describe('parseQuery (the query shape, 400 on anything malformed)', () => {
  it('normalises a full query and makes defaults explicit', () => {
    const q = parseQuery({
      ...base,
      where: [{ column: 'h.age', op: 'between', value: [18, 65] }],
      groupBy: ['h.iris', { column: 'h.age', bins: [0, 18, 65, 120] }],
    });
    expect(q).toEqual({
      datasets: [H],
      where: [{ column: 'h.age', op: 'between', value: [18, 65] }],
      groupBy: ['h.iris', { column: 'h.age', bins: [0, 18, 65, 120] }],
      measures: [{ fn: 'count' }],
      join: [],
      totals: false,
      privacy: { mechanism: 'none' },
    });
  });

  it.each([
    ['an unknown top-level field', { ...base, sql: 'SELECT 1' }, 'query.sql'],
    ['an unknown field in a dataset', { ...base, datasets: [{ ...H, table: 'x' }] }, 'query.datasets.0.table'],
    ['an unknown field in a measure', { ...base, measures: [{ fn: 'count', raw: true }] }, 'query.measures.0.raw'],
    ['an unknown field in a binned group', { ...base, groupBy: [{ column: 'h.age', bins: [0, 1], labels: ['a'] }] }, 'query.groupBy'],
  ])('refuses %s', (_, query, field) => {
    const e = refusal(query);
    expect(e.code).toBe('invalid_input');
    expect(e.errors?.map((x) => x.field)).toContain(field);
  });

  it.each([
    ['min', { fn: 'min', column: 'h.age' }],
    ['max', { fn: 'max', column: 'h.age' }],
    ['list', { fn: 'list', column: 'h.age' }],
    ['count with a column', { fn: 'count', column: 'h.pid' }],
    ['sum without a column', { fn: 'sum' }],
    ['quantile without q', { fn: 'quantile', column: 'h.age' }],
    ['quantile with q = 1', { fn: 'quantile', column: 'h.age', q: 1 }],
  ])('refuses the measure %s', (_, measure) => {
    expect(refusal({ ...base, measures: [measure] }).code).toBe('invalid_input');
  });

  it.each([
    ['an alias with upper case', { ...base, datasets: [{ ...H, as: 'H' }] }],
    ['an alias too long', { ...base, datasets: [{ ...H, as: 'a'.repeat(17) }] }],
    ['a column without alias', { ...base, where: [{ column: 'age', op: 'eq', value: 1 }] }],
    ['an unknown op', { ...base, where: [{ column: 'h.age', op: 'like', value: '%' }] }],
    ['"in" with a scalar', { ...base, where: [{ column: 'h.age', op: 'in', value: 3 }] }],
    ['"between" with three values', { ...base, where: [{ column: 'h.age', op: 'between', value: [1, 2, 3] }] }],
    ['an object as value', { ...base, where: [{ column: 'h.age', op: 'eq', value: { $gt: 1 } }] }],
    ['descending bins', { ...base, groupBy: [{ column: 'h.age', bins: [10, 5] }] }],
    ['a single bin edge', { ...base, groupBy: [{ column: 'h.age', bins: [10] }] }],
    ['laplace without epsilon', { ...base, privacy: { mechanism: 'laplace' } }],
    ['gaussian without delta', { ...base, privacy: { mechanism: 'gaussian', epsilon: 1 } }],
    ['none with epsilon', { ...base, privacy: { mechanism: 'none', epsilon: 1 } }],
    ['no measure', { ...base, measures: [] }],
    ['no dataset', { ...base, datasets: [] }],
    ['a non-uuid dataset id', { ...base, datasets: [{ datasetId: '1 OR 1=1', as: 'h' }] }],
    ['totals as a string', { ...base, totals: 'yes' }],
  ])('refuses %s', (_, query) => {
    expect(refusal(query).code).toBe('invalid_input');
  });

  it('refuses a query that is not an object', () => {
    expect(refusal('SELECT * FROM vault.x').code).toBe('invalid_input');
    expect(refusal([base]).code).toBe('invalid_input');
  });
});
