import { createHmac } from 'node:crypto';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import { normaliseLinkageValue, pseudonymise } from './pseudonym';
import { compileRowValidator, copyTextValue, matchHeader } from './row-validator';

const COLUMNS: ColumnDescriptor[] = [
  { name: 'nir', type: 'text', role: 'linkage_key' },
  { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
  { name: 'weight', type: 'number', role: 'sensitive', min: 0.5, max: 300 },
  { name: 'sex', type: 'category', role: 'quasi_identifier', categories: ['F', 'M'] },
  { name: 'admitted', type: 'date', role: 'attribute' },
  { name: 'covid', type: 'boolean', role: 'sensitive' },
  { name: 'note', type: 'text', role: 'attribute' },
];
const KEY = 'unit-test-pseudonym-key';
const hmac = (s: string) => createHmac('sha256', KEY).update(s).digest('hex');
const validator = (order = [0, 1, 2, 3, 4, 5, 6]) => compileRowValidator(COLUMNS, order, (raw) => pseudonymise(KEY, raw));

describe('linkage normalisation and pseudonyms', () => {
  it('trims, upper-cases and strips inner whitespace', () => {
    expect(normaliseLinkageValue('  1 85 07 2a 123 \t')).toBe('185072A123');
  });

  it('is a keyed HMAC-SHA-256 of the normalised value, so spellings of one person link', () => {
    expect(pseudonymise(KEY, ' 1 85 07 2a ')).toBe(hmac('185072A'));
    expect(pseudonymise(KEY, '185072a')).toBe(pseudonymise(KEY, '1 85 07 2A'));
    expect(pseudonymise('another-key-entirely', '185072A')).not.toBe(pseudonymise(KEY, '185072A'));
  });
});

describe('row validation', () => {
  it('turns a valid row into a COPY line with the pseudonym in place of the identifier', () => {
    const out = validator()([' 185072a ', '42', '71.5', 'F', '2020-03-29', 'TRUE', 'tab\there'], 2);
    expect(out.errors).toBeNull();
    expect(out.copyLine).toBe([hmac('185072A'), '42', '71.5', 'F', '2020-03-29', 't', 'tab\\there'].join('\t') + '\n');
    expect(out.copyLine).not.toContain('185072');
  });

  it('maps cells through the header order', () => {
    const out = validator([6, 5, 4, 3, 2, 1, 0])(['n', 'no', '2021-01-01', 'M', '3', '7', 'X1'], 2);
    expect(out.copyLine?.split('\t')[0]).toBe(hmac('X1'));
    expect(out.copyLine?.split('\t')[1]).toBe('7');
  });

  it('stores an empty optional cell as NULL', () => {
    const out = validator()(['a', '', '', '', '', '', ''], 2);
    expect(out.copyLine).toBe([hmac('A'), '\\N', '\\N', '\\N', '\\N', '\\N', '\\N'].join('\t') + '\n');
  });

  it('lists every broken rule of a row by line and column, never quoting the value', () => {
    const secret = '2850799123456';
    const out = validator()(['   ', '121', 'heavy', 'X', '2020-02-30', 'maybe', 'ok'], 7);
    expect(out.copyLine).toBeNull();
    expect(out.errors).toEqual([
      { line: 7, column: 'nir', message: 'linkage key is required' },
      { line: 7, column: 'age', message: expect.stringMatching(/at most/) },
      { line: 7, column: 'weight', message: 'must be a number' },
      { line: 7, column: 'sex', message: 'must be one of the declared categories' },
      { line: 7, column: 'admitted', message: expect.stringMatching(/ISO date/) },
      { line: 7, column: 'covid', message: expect.stringMatching(/boolean/) },
    ]);
    const leaky = validator()([secret, secret, secret, secret, secret, secret, secret], 3);
    expect(JSON.stringify(leaky.errors)).not.toContain(secret);
    expect(leaky.errors?.map((e) => e.column)).toEqual(['age', 'weight', 'sex', 'admitted', 'covid']);
  });

  it('checks bounds on both sides and integers strictly', () => {
    const v = validator();
    const cell = (age: string, weight = '10') => v(['a', age, weight, 'F', '', '', ''], 2).errors?.map((e) => e.message) ?? [];
    expect(cell('-1')).toEqual([expect.stringMatching(/at least/)]);
    expect(cell('0')).toEqual([]);
    expect(cell('120')).toEqual([]);
    expect(cell('4.0')).toEqual(['must be an integer']);
    expect(cell('1e2')).toEqual(['must be an integer']);
    expect(cell('30', '0.4')).toEqual([expect.stringMatching(/at least/)]);
    expect(cell('30', '1e2')).toEqual([]);
    expect(cell('30', 'NaN')).toEqual(['must be a number']);
    expect(cell('30', 'Infinity')).toEqual(['must be a number']);
  });

  it('accepts only real calendar dates in ISO form', () => {
    const v = validator();
    const date = (d: string) => v(['a', '', '', '', d, '', ''], 2).errors;
    expect(date('2024-02-29')).toBeNull();
    expect(date('2023-02-29')).not.toBeNull();
    expect(date('29/02/2024')).not.toBeNull();
    expect(date('2024-2-9')).not.toBeNull();
    expect(date('2024-02-29T10:00:00Z')).not.toBeNull();
  });

  it('refuses a row with the wrong number of fields', () => {
    expect(validator()(['a', '1'], 4).errors).toEqual([{ line: 4, column: null, message: 'expected 7 fields, found 2' }]);
  });

  it('requires integer linkage keys to be digits', () => {
    const v = compileRowValidator([{ name: 'id', type: 'integer', role: 'linkage_key' }], [0], (raw) => pseudonymise(KEY, raw));
    expect(v([' 12 34 '], 2).copyLine).toBe(hmac('1234') + '\n');
    expect(v(['12a'], 3).errors).toEqual([{ line: 3, column: 'id', message: 'must be an integer' }]);
  });

  it('requires a reference key', () => {
    const v = compileRowValidator([{ name: 'iris', type: 'text', role: 'reference_key' }], [0], (raw) => raw);
    expect(v([' '], 2).errors).toEqual([{ line: 2, column: 'iris', message: 'reference key is required' }]);
    expect(v([' 340170101 '], 2).copyLine).toBe('340170101\n');
  });
});

describe('COPY text escaping', () => {
  it('escapes backslashes and control characters, and writes NULL as \\N', () => {
    expect(copyTextValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyTextValue(null)).toBe('\\N');
    expect(copyTextValue('\\N')).toBe('\\\\N');
  });
});

describe('header matching', () => {
  it('accepts the declared columns in any order', () => {
    expect(matchHeader(COLUMNS.slice(0, 3), ['weight', ' nir ', 'age'])).toEqual({ order: [1, 2, 0] });
  });

  it('names missing and repeated columns, and counts unknown ones without echoing them', () => {
    const result = matchHeader(COLUMNS.slice(0, 3), ['nir', 'nir', '1850799123456']);
    expect(result).toEqual({
      errors: [
        { line: 1, column: 'nir', message: 'the header repeats this column' },
        { line: 1, column: null, message: 'the header names a column the dataset does not declare' },
        { line: 1, column: 'age', message: 'the header lacks this declared column' },
        { line: 1, column: 'weight', message: 'the header lacks this declared column' },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('1850799123456');
  });
});
