import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import { pseudonymise } from './pseudonym';
import { compileRowValidator, RowError } from './row-validator';
import { CsvFormatError, HeaderMismatch, isQuoteFree, MAX_RECORD_CHARS, RowSink } from './row-sink';

const KEY = 'row-sink-spec-pseudonym-key';
const COLUMNS: ColumnDescriptor[] = [
  { name: 'nir', type: 'text', role: 'linkage_key' },
  { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
  { name: 'sex', type: 'category', role: 'quasi_identifier', categories: ['F', 'M', 'Hérault', 'a\\b'] },
  { name: 'note', type: 'text', role: 'attribute' },
  { name: 'weight', type: 'number', role: 'sensitive', min: 0.5, max: 300 },
  { name: 'covid', type: 'boolean', role: 'sensitive' },
];
const NAMES = COLUMNS.map((c) => c.name);

interface Encoded {
  copy: string;
  encoder: RowSink;
  error: unknown;
}

/** Streams `input` through a RowSink in the given chunks and collects what it would send to COPY. */
async function encode(input: string | Buffer, cuts: number[] = [], columns = COLUMNS): Promise<Encoded> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    if (p > at) chunks.push(bytes.subarray(at, p));
    at = Math.max(at, p);
  }
  const encoder = new RowSink(columns, (raw) => pseudonymise(KEY, raw));
  const out: Buffer[] = [];
  let error: unknown = null;
  await pipeline(Readable.from(chunks, { objectMode: false }), encoder, new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) })).catch((err) => (error = err));
  return { copy: Buffer.concat(out).toString('utf8'), encoder, error };
}

/** A CSV field as a careful writer would quote it. */
const quote = (v: string) => (/[",\r\n]/.test(v) || v.startsWith(' ') ? `"${v.replace(/"/g, '""')}"` : v);

interface Written {
  csv: string;
  /** The physical line (1-based, LF-terminated) where each data row starts. */
  lines: number[];
}

/** Writes the rows as CSV, with empty lines where asked, counting physical lines as it goes (independently of any parser). */
function write(rows: string[][], empties: number[], eol: string, bom: boolean, trailing: boolean): Written {
  let csv = (bom ? '\ufeff' : '') + NAMES.join(',') + eol;
  let line = 2;
  const lines: number[] = [];
  rows.forEach((r, i) => {
    const blank = empties[i % Math.max(empties.length, 1)] ?? 0;
    csv += eol.repeat(blank);
    line += blank;
    lines.push(line);
    csv += r.map(quote).join(',') + (trailing || i < rows.length - 1 ? eol : '');
    line += 1 + r.join('').split('\n').length - 1;
  });
  return { csv, lines };
}

/** The expectation from the generated cells themselves (no parsing): the row rules, at the lines the writer counted. */
function expectation(rows: string[][], lines: number[]): { copy: string; errors: RowError[] } {
  const validate = compileRowValidator(COLUMNS, NAMES.map((_, i) => i), (raw) => pseudonymise(KEY, raw));
  const errors: RowError[] = [];
  let copy = '';
  rows.forEach((r, i) => {
    const row = validate(r, lines[i]);
    if (row.errors) errors.push(...row.errors);
    else copy += row.copyLine;
  });
  return { copy: errors.length ? '' : copy, errors };
}

const cell = {
  nir: fc.oneof(fc.stringMatching(/^[0-9A-Z]{1,15}$/), fc.constantFrom(' 1 85 07 2a ', '185072a', '', '   ', 'ÉLÉONORE', 'x"y', 'a,b', 'A\nB')),
  age: fc.oneof(fc.integer({ min: -5, max: 130 }).map(String), fc.constantFrom('007', '+4', ' 42 ', '4.0', '1e2', '', '9007199254740993', 'forty')),
  sex: fc.constantFrom('F', 'M', 'Hérault', 'a\\b', ' F ', 'f', 'X', '', 'Herault'),
  note: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('tab\there', 'back\\slash', ' padded ', 'é\u00a0', 'a"b', '\u0000', 'x\ry', 'two\nlines', 'crlf\r\ninside', '\n\n', 'a\r\r\nb'),
  ),
  weight: fc.constantFrom('71.5', '0.4', '1e2', '.5', 'NaN', '', ' 3 '),
  covid: fc.constantFrom('TRUE', 'no', '1', 'maybe', ''),
};
const row = fc.tuple(cell.nir, cell.age, cell.sex, cell.note, cell.weight, cell.covid);

describe('RowSink: csv-parse records, checked and pseudonymised, as COPY text', () => {
  it('agrees with the rows as written (values, refusals, physical lines), however the stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 12 }),
        fc.array(fc.nat({ max: 2 }), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (rows, empties, cuts, crlf, bom, trailing) => {
          const written = write(rows, empties, crlf ? '\r\n' : '\n', bom, trailing);
          const expected = expectation(rows, written.lines);
          const got = await encode(written.csv, cuts);
          expect(got.error).toBeNull();
          expect(got.encoder.errors).toEqual(expected.errors.slice(0, 100));
          expect(got.encoder.errorCount).toBe(expected.errors.length);
          expect(got.copy).toBe(expected.copy);
          if (!expected.errors.length) expect(got.encoder.rowsAccepted).toBe(rows.length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('replaces every linkage value by its pseudonym and never writes it', async () => {
    const got = await encode('nir,age,sex,note,weight,covid\n185072A123,42,F,,,\n" 1 85 07 2a ",7,M,,,\n');
    const lines = got.copy.split('\n');
    expect(lines[0].split('\t')[0]).toBe(pseudonymise(KEY, '185072A123'));
    expect(lines[1].split('\t')[0]).toBe(pseudonymise(KEY, '185072A'));
    expect(got.copy).not.toMatch(/185072|85 07/);
  });

  it('reads the header in any order, quoted fields with commas, quotes and newlines, a BOM and CRLF', async () => {
    const csv = '\ufeffcovid,weight,note,sex,age,nir\r\n\r\nyes,2,"multi\nline, ""quoted""",M,3,ABC\r\n\n' + 'no,,plain,F,0,DEF';
    const got = await encode(csv, [1, 2, 3, 40]);
    expect(got.error).toBeNull();
    expect(got.copy).toBe(
      `${pseudonymise(KEY, 'ABC')}\t3\tM\tmulti\\nline, "quoted"\t2\tt\n` + `${pseudonymise(KEY, 'DEF')}\t0\tF\tplain\t\\N\tf\n`,
    );
    expect(got.encoder.rowsAccepted).toBe(2);
  });

  it('numbers errors by physical line, counting skipped empty lines and newlines inside quotes', async () => {
    const csv = 'nir,age,sex,note,weight,covid\nA,1,F,"two\nlines",,\n\nB,999,F,,,\nC,1,F\n';
    const got = await encode(csv);
    expect(got.encoder.errors).toEqual([
      { line: 5, column: 'age', message: expect.stringMatching(/at most/) },
      { line: 6, column: null, message: 'expected 6 fields, found 3' },
    ]);
    expect(got.copy).toBe('');
    expect(got.encoder.rowsAccepted).toBe(1);
  });

  it('counts physical lines (LF) although csv-parse counts each CR inside a quoted field as a line', async () => {
    const csv = 'nir,age,sex,note,weight,covid\r\nA,1,F,"crlf\r\ninside",,\r\nB,1,F,"lone\rcr",,\r\n\r\nC,999,F,,,\r\nD,1,F,"x\r\ny",,bad\r\n';
    for (const cuts of [[], [35, 36, 37, 60]]) {
      const got = await encode(csv, cuts);
      expect(got.error).toBeNull();
      expect(got.encoder.errors).toEqual([
        { line: 6, column: 'age', message: expect.stringMatching(/at most/) },
        { line: 7, column: 'covid', message: expect.stringMatching(/boolean/) },
      ]);
      expect(got.encoder.lastLine).toBe(8);
    }
  });

  it('writes nothing after the first invalid row but keeps checking every row', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => `ID${i},${i === 10 || i === 4000 ? 'old' : i % 100},F,,,`).join('\n');
    const got = await encode(`${NAMES.join(',')}\n${body}\n`, [70_000, 140_000]);
    expect(got.copy).toBe('');
    expect(got.encoder.errorCount).toBe(2);
    expect(got.encoder.errors.map((e) => e.line)).toEqual([12, 4002]);
  });

  it('refuses a header that does not match before reading any row', async () => {
    const got = await encode('nir,age,sex,note,weight,covid,1850799123456\nA,1,F,,,,\n');
    expect(got.error).toBeInstanceOf(HeaderMismatch);
    expect(JSON.stringify((got.error as HeaderMismatch).errors)).not.toContain('1850799123456');
    expect(got.copy).toBe('');
  });

  it.each([
    ['an unclosed quote', 'nir,age,sex,note,weight,covid\nA,1,F,"2850799123456,,\n', 2, 'CSV_QUOTE_NOT_CLOSED'],
    ['a quote inside a plain field', 'nir,age,sex,note,weight,covid\nA,1,F,,,\nB,2,F,28507"99123456,,\n', 3, 'INVALID_OPENING_QUOTE'],
    ['text after a closing quote', 'nir,age,sex,note,weight,covid\n"2850799123456"x,1,F,,,\n', 2, 'CSV_INVALID_CLOSING_QUOTE'],
  ])('fails the stream on %s, naming the rule and line, never the data', async (_label, csv, line, code) => {
    for (const cuts of [[], [31, 33, 40]]) {
      const got = await encode(csv, cuts);
      expect(got.error).toBeInstanceOf(CsvFormatError);
      expect((got.error as CsvFormatError).error).toEqual({ line, column: null, message: `malformed CSV (${code})` });
      expect(JSON.stringify(got.error) + String(got.error)).not.toContain('2850799123456');
    }
  });

  it('bounds what it holds: a record longer than the limit fails without waiting for its end', async () => {
    const huge = Buffer.alloc(MAX_RECORD_CHARS + 10, 0x61);
    const got = await encode(Buffer.concat([Buffer.from('nir,age,sex,note,weight,covid\nA,1,F,"'), huge]), [10, 50, 70_000, 700_000]);
    expect(got.error).toBeInstanceOf(CsvFormatError);
    expect((got.error as CsvFormatError).error).toEqual({ line: 2, column: null, message: 'record longer than the limit (CSV_MAX_RECORD_SIZE)' });
  });

  it('pseudonymises digits-only linkage keys of integer type through the same rule', async () => {
    const columns: ColumnDescriptor[] = [{ name: 'id', type: 'integer', role: 'linkage_key' }];
    const got = await encode('id\n0042\n 17 \n', [], columns);
    expect(got.copy).toBe(`${pseudonymise(KEY, '0042')}\n${pseudonymise(KEY, '17')}\n`);
    const refused = await encode('id\n12A\n', [], columns);
    expect(refused.encoder.errors).toEqual([{ line: 2, column: 'id', message: 'must be an integer' }]);
  });

  describe('line tracking for a person-level dataset (issue 13)', () => {
    it('knows the line each accepted row starts on, multi-line fields and empty lines included, in 4 bytes a row', async () => {
      const input = ['nir,age,sex,note,weight,covid', 'A1,30,F,x,70,true', 'A2,31,M,"two', 'lines",71,false', '', 'A3,32,F,y,72,true', ''].join('\n');
      const sink = new RowSink(COLUMNS, (raw) => pseudonymise(KEY, raw), true);
      await pipeline(Readable.from([Buffer.from(input)]), sink, new Writable({ write: (_c: Buffer, _e, done) => done() }));
      expect(sink.rowsAccepted).toBe(3);
      expect([1, 2, 3].map((n) => sink.lineOfRow(n))).toEqual([2, 3, 6]);
      expect(sink.lineOfRow(4)).toBe(0);
      // Without tracking (transaction-level datasets), nothing is kept.
      const untracked = new RowSink(COLUMNS, (raw) => pseudonymise(KEY, raw));
      await pipeline(Readable.from([Buffer.from(input)]), untracked, new Writable({ write: (_c: Buffer, _e, done) => done() }));
      expect(untracked.lineOfRow(1)).toBe(0);
    });

    it('grows its line table past its first allocation', async () => {
      const rows = Array.from({ length: 3000 }, (_, i) => `P${i},30,F,x,70,true`);
      const sink = new RowSink(COLUMNS, (raw) => pseudonymise(KEY, raw), true);
      await pipeline(Readable.from([Buffer.from(['nir,age,sex,note,weight,covid', ...rows].join('\n'))]), sink, new Writable({ write: (_c: Buffer, _e, done) => done() }));
      expect(sink.lineOfRow(3000)).toBe(3001);
      expect(sink.lineOfRow(1025)).toBe(1026);
    });
  });
});

describe('RowSink block mode: the quote-free reader', () => {
  const COLS: ColumnDescriptor[] = [
    { name: 'nir', type: 'text', role: 'linkage_key' },
    { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
    { name: 'note', type: 'text', role: 'attribute' },
  ];
  const read = (bytes: Buffer, order: number[] | null, bom: boolean, quoteFree: boolean) => {
    const sink = new RowSink(COLS, (raw) => pseudonymise(KEY, raw), true, { order, bom, quoteFree });
    const out = sink.parseBlock(bytes);
    const error = out.error instanceof HeaderMismatch ? { header: out.error.errors } : out.error instanceof CsvFormatError ? { csv: out.error.error } : out.error;
    return {
      copy: out.copy,
      error,
      errors: sink.errors,
      errorCount: sink.errorCount,
      rows: sink.rowsAccepted,
      sawHeader: sink.sawHeader,
      order: sink.order,
      lastLine: sink.lastLine,
      lines: out.lines ? Array.from(out.lines) : null,
      fingerprints: out.fingerprints ? out.fingerprints.toString('hex') : null,
    };
  };
  // Pieces of quote-free blocks and the bytes that must send a block back to csv-parse (a quote, a lone CR, invalid UTF-8).
  const piece = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('A1', ' 1 85 07 ', '42', '-3', '121', 'x', 'é', '', ' ', '\t', 'nir', 'age', 'note', '\ufeff', 'a\\b', '999999999999999999') },
    { weight: 6, arbitrary: fc.constantFrom(',', '\n', '\r\n') },
    { weight: 1, arbitrary: fc.constantFrom('"', '\r', '"q"') },
  );
  const block = fc.tuple(fc.array(piece, { maxLength: 60 }), fc.boolean(), fc.constantFrom(null, Buffer.from([0xc3]), Buffer.from([0xff, 0x2c]))).map(([parts, bom, junk]) => {
    const bytes = Buffer.from((bom ? '\ufeff' : '') + parts.join(''), 'utf8');
    return junk && parts.length % 3 === 0 ? Buffer.concat([bytes, junk]) : bytes;
  });

  it('reads every block exactly as csv-parse does (records, refusals, lines, fingerprints), header block or not', () => {
    fc.assert(
      fc.property(block, fc.constantFrom<number[] | null>(null, [0, 1, 2], [2, 0, 1]), fc.boolean(), (bytes, order, bom) => {
        expect(read(bytes, order, bom, true)).toEqual(read(bytes, order, bom, false));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes only blocks it can read: no quote, no lone CR, valid UTF-8, under the record-size limit', () => {
    expect(isQuoteFree(Buffer.from('a,b\r\nc,d\n'))).toBe(true);
    expect(isQuoteFree(Buffer.from('a,"b"\n'))).toBe(false);
    expect(isQuoteFree(Buffer.from('a,b\rc\n'))).toBe(false);
    expect(isQuoteFree(Buffer.from('a,b\r'))).toBe(false);
    expect(isQuoteFree(Buffer.from([0x61, 0x2c, 0xc3]))).toBe(false);
    expect(isQuoteFree(Buffer.alloc(MAX_RECORD_CHARS + 1, 0x61))).toBe(false);
  });
});
