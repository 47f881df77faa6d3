import { checkColumns, ColumnDescriptor, normaliseColumns } from './column-schema';

const person = (...extra: ColumnDescriptor[]): ColumnDescriptor[] => [{ name: 'nir', type: 'text', role: 'linkage_key' }, ...extra];
const messages = (columns: ColumnDescriptor[]) => checkColumns(columns).problems.map((p) => p.message);

describe('the catalogue rules on column declarations', () => {
  it('derives the kind from the key columns', () => {
    expect(checkColumns(person({ name: 'iris', type: 'text', role: 'reference_key' })).kind).toBe('person');
    expect(checkColumns([{ name: 'iris', type: 'text', role: 'reference_key' }, { name: 'pop', type: 'integer', role: 'attribute', min: 0, max: 10 }]).kind).toBe('reference');
  });

  it('refuses a dataset without a key, with two linkage keys, or with two reference keys and no linkage key', () => {
    expect(messages([{ name: 'a', type: 'text', role: 'attribute' }])).toEqual([expect.stringMatching(/needs one linkage_key/)]);
    expect(messages(person({ name: 'nir2', type: 'text', role: 'linkage_key' }))).toEqual([expect.stringMatching(/exactly one linkage_key/)]);
    expect(
      messages([
        { name: 'a', type: 'text', role: 'reference_key' },
        { name: 'b', type: 'text', role: 'reference_key' },
      ]),
    ).toEqual([expect.stringMatching(/exactly one reference_key/)]);
  });

  it('refuses duplicate column names', () => {
    expect(messages(person({ name: 'nir', type: 'text', role: 'attribute' }))).toContain('column names must be unique');
  });

  it('requires min < max on numeric columns that may be summed, but not on keys', () => {
    expect(messages(person({ name: 'days', type: 'integer', role: 'sensitive' }))).toEqual(['a numeric column needs min and max bounds']);
    expect(messages(person({ name: 'days', type: 'number', role: 'sensitive', min: 5, max: 5 }))).toEqual(['min must be lower than max']);
    expect(messages(person({ name: 'days', type: 'integer', role: 'sensitive', min: 0.5, max: 5 }))).toEqual(['the bounds of an integer column must be integers']);
    expect(messages(person({ name: 'days', type: 'number', role: 'sensitive', min: 0, max: 0.5 }))).toEqual([]);
    expect(messages([{ name: 'code', type: 'integer', role: 'reference_key' }])).toEqual([]);
    expect(messages(person({ name: 'label', type: 'text', role: 'attribute', min: 0, max: 1 }))).toEqual(['only numeric non-key columns take min and max']);
  });

  it('requires non-empty distinct categories on category columns only', () => {
    expect(messages(person({ name: 'sex', type: 'category', role: 'quasi_identifier', categories: [] }))).toEqual([expect.stringMatching(/non-empty list/)]);
    expect(messages(person({ name: 'sex', type: 'category', role: 'quasi_identifier', categories: ['F', 'F'] }))).toEqual(['categories must be distinct']);
    expect(messages(person({ name: 'sex', type: 'text', role: 'quasi_identifier', categories: ['F'] }))).toEqual(['only category columns take categories']);
  });

  it('restricts key types: a linkage key is text or integer', () => {
    expect(messages([{ name: 'nir', type: 'date', role: 'linkage_key' }])).toEqual([expect.stringMatching(/linkage_key must be of type/)]);
    expect(messages([{ name: 'flag', type: 'boolean', role: 'reference_key' }])).toEqual([expect.stringMatching(/reference_key must be of type/)]);
  });

  it('keeps only the declared fields', () => {
    const dirty = { name: 'a', type: 'text', role: 'attribute', extra: 'x' } as unknown as ColumnDescriptor;
    expect(normaliseColumns([dirty])).toEqual([{ name: 'a', type: 'text', role: 'attribute' }]);
  });
});
