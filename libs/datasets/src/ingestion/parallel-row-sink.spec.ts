import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import { BlockRunner, ParallelRowSink } from './parallel-row-sink';
import { pseudonymise } from './pseudonym';
import { processBlock } from './row-block';
import { CsvFormatError, HeaderMismatch, MAX_RECORD_CHARS, RowSink } from './row-sink';
import { RowWorkerPool } from './row-worker-pool';

const KEY = 'parallel-row-sink-spec-key';
const COLUMNS: ColumnDescriptor[] = [
  { name: 'nir', type: 'text', role: 'linkage_key' },
  { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
  { name: 'note', type: 'text', role: 'attribute' },
  { name: 'covid', type: 'boolean', role: 'sensitive' },
];
const HEADER = COLUMNS.map((c) => c.name).join(',');

function chunksOf(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    if (p > at) chunks.push(bytes.subarray(at, p));
    at = Math.max(at, p);
  }
  return chunks;
}

interface Seen {
  copy: string;
  error: unknown;
  errors: unknown;
  errorCount: number;
  rowsAccepted: number;
  sawHeader: boolean;
  lastLine: number;
  lines: number[];
}

async function drive(sink: RowSink | ParallelRowSink, chunks: Buffer[]): Promise<Seen> {
  const out: Buffer[] = [];
  let error: unknown = null;
  await pipeline(Readable.from(chunks, { objectMode: false }), sink, new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) })).catch((err) => (error = err));
  const failed = error !== null || sink.errorCount > 0;
  return {
    copy: failed ? '' : Buffer.concat(out).toString('utf8'),
    error: error instanceof HeaderMismatch ? { header: error.errors } : error instanceof CsvFormatError ? { csv: error.error } : error,
    errors: error ? null : sink.errors,
    errorCount: error ? 0 : sink.errorCount,
    rowsAccepted: failed ? 0 : sink.rowsAccepted,
    sawHeader: sink.sawHeader,
    lastLine: error ? 0 : sink.lastLine,
    lines: failed ? [] : Array.from({ length: sink.rowsAccepted }, (_, i) => sink.lineOfRow(i + 1)),
  };
}

const inline: BlockRunner = async (task) => processBlock(structuredClone(task));

/** The oracle: one RowSink over the whole stream, as uploads were read before the workers. */
const single = (csv: Buffer, cuts: number[]) => drive(new RowSink(COLUMNS, (raw) => pseudonymise(KEY, raw), true), chunksOf(csv, cuts));
const parallel = (csv: Buffer, cuts: number[], blockBytes: number, run: BlockRunner = inline, inFlight = 3) =>
  drive(new ParallelRowSink(COLUMNS, KEY, run, true, inFlight, blockBytes), chunksOf(csv, cuts));

const field = fc.oneof(
  fc.constantFrom('', 'A1', ' 1 85 07 ', '42', '999', 'x', 'yes', 'no', 'maybe', '-3'),
  fc.constantFrom('"quoted, comma"', '"two\nlines"', '"crlf\r\ninside"', '"a ""q"" b"', '"lone\rcr"', '"\n\n"', '"x"y', 'a"b', '"unclosed'),
  fc.string({ maxLength: 6 }),
);
const line = fc.array(field, { minLength: 1, maxLength: 5 }).map((f) => f.join(','));

describe('ParallelRowSink: the stream cut into blocks at record boundaries, read by workers, merged in order', () => {
  it('says exactly what one RowSink over the whole stream says (COPY bytes, errors and lines, CSV faults), however it is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 14 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom(HEADER, 'note,covid,age,nir', `\n\n${HEADER}`, 'nir,age,note', 'nir,age,"no\nte",covid'),
        async (lines, eol, bom, trailing, cuts, blockBytes, header) => {
          const csv = Buffer.from((bom ? '\ufeff' : '') + [header, ...lines].join(eol) + (trailing ? eol : ''), 'utf8');
          const expected = await single(csv, cuts);
          const got = await parallel(csv, cuts, blockBytes);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees on a realistic file cut into many blocks, with row workers (threads)', async () => {
    const rows = Array.from({ length: 4000 }, (_, i) => `P${i},${i % 100},"note ${i}${i % 7 === 0 ? '\nsecond line' : ''}",${i % 2 ? 'yes' : 'no'}`);
    const csv = Buffer.from([HEADER, ...rows].join('\n') + '\n');
    const pool = new RowWorkerPool();
    try {
      const expected = await single(csv, [1000, 50_000]);
      const got = await parallel(csv, [1000, 50_000], 4096, (task) => pool.run(task), 2 * pool.size + 2);
      expect(expected.rowsAccepted).toBe(4000);
      expect(got).toEqual(expected);
      // A refused row far into the file: the same line, counted across blocks.
      const bad = Buffer.from(csv.toString().replace('P3999,99,', 'P3999,999,'));
      const refused = await parallel(bad, [], 4096, (task) => pool.run(task), 4);
      expect(refused.errors).toEqual([{ line: expected.lines[3999], column: 'age', message: expect.stringMatching(/at most/) }]);
      expect(refused).toEqual(await single(bad, []));
    } finally {
      await pool.onModuleDestroy();
    }
  });

  it('bounds what it holds: a record longer than the limit fails as one parser would, in a forced block', async () => {
    const huge = Buffer.concat([Buffer.from(`${HEADER}\nA,1,x,yes\nB,1,"`), Buffer.alloc(MAX_RECORD_CHARS + 10, 0x61)]);
    const got = await parallel(huge, [10, 50, 70_000, 700_000], 1024);
    expect(got.error).toEqual({ csv: { line: 3, column: null, message: 'record longer than the limit (CSV_MAX_RECORD_SIZE)' } });
  });

  it('flags a repeated linkage key by fingerprint, and none when every key differs', async () => {
    const fingerprinted = async (csv: string) => {
      const sink = new ParallelRowSink(COLUMNS, KEY, inline, true, 3, 16);
      await pipeline(Readable.from([Buffer.from(csv)]), sink, new Writable({ write: (_c, _e, done) => done() }));
      return sink.mayRepeatKey();
    };
    expect(await fingerprinted(`${HEADER}\nA,1,,\nB,2,,\nC,3,,\n`)).toBe(false);
    // " b " and "B" are the same person once normalised.
    expect(await fingerprinted(`${HEADER}\nA,1,,\nB,2,,\nC,3,,\n" b ",4,,\n`)).toBe(true);
  });

  it('never stalls, and holds a bounded buffer, when its reader takes the whole buffer in each read', async () => {
    // Every block comes back, a moment later, with more COPY bytes than half the sink's buffer:
    // two merges fill it. The reader (as pg-copy-streams does when COPY catches up) takes all of it at once.
    const runner: BlockRunner = (task) =>
      new Promise((resolve) =>
        setImmediate(() => {
          const header = task.order === null;
          const newlines = Buffer.from(task.bytes).toString('utf8').split('\n').length - 1;
          resolve({
            copy: new Uint8Array(600 * 1024), rows: header ? 0 : newlines, errors: [], errorCount: 0, sawHeader: header, order: header ? [0, 1, 2, 3] : null,
            fatal: null, lastLine: newlines, newlines, lines: null, fingerprints: null,
          });
        }),
      );
    const sink = new ParallelRowSink(COLUMNS, KEY, runner, false, 3, 16);
    const blocks = 40;
    // The upload's bytes, each chunk once the sink took the one before (as a request does).
    void (async () => {
      for (const line of [HEADER, ...Array.from({ length: blocks }, (_, i) => `${i},20,a,true`)]) {
        await new Promise<void>((resolve, reject) => sink.write(Buffer.from(`${line}\n`), (err) => (err ? reject(err) : resolve())));
      }
      sink.end();
    })().catch(() => undefined);
    let finished = false;
    sink.on('finish', () => (finished = true));
    let largest = 0;
    // The reader comes by every fourth turn of the event loop, after the workers' answers have piled up.
    for (let turn = 0, idle = 0; !finished && idle < 200; turn++) {
      await new Promise((r) => setImmediate(r));
      largest = Math.max(largest, sink.readableLength);
      if (turn % 4 !== 3) continue;
      if (sink.readableLength > 0) {
        sink.read();
        idle = 0;
      } else idle++;
    }
    expect({ finished, rows: sink.rowsAccepted }).toEqual({ finished: true, rows: blocks });
    // Bounded: the buffer, plus what the blocks already out bring back.
    expect(largest).toBeLessThanOrEqual(sink.readableHighWaterMark + 3 * 600 * 1024);
    sink.destroy();
  });

  it('fails the upload, without any message of its own, when a worker fails', async () => {
    const broken: BlockRunner = async () => {
      throw new Error('row worker failed on a block');
    };
    const got = await parallel(Buffer.from(`${HEADER}\nSECRET123,1,,\n`), [], 8, broken);
    expect(got.error).toEqual(new Error('row worker failed on a block'));
  });
});
