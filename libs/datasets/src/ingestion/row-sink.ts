import { isUtf8 } from 'node:buffer';
import type { TransformCallback } from 'node:stream';
import { CsvError, Parser } from 'csv-parse';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import { compileRowValidator, matchHeader, RowError } from './row-validator';

/** How many errors an upload keeps (all are counted). */
export const MAX_LISTED_ERRORS = 100;
/** Longest CSV record accepted, in characters: bounds the parser's buffer (an unclosed quote would otherwise swallow the file). */
export const MAX_RECORD_CHARS = 1_000_000;
/** COPY data is handed on in chunks of about this size. */
const BATCH_BYTES = 64 * 1024;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Thrown through the pipeline when the header does not match the catalogue: nothing after it is read. */
export class HeaderMismatch extends Error {
  constructor(readonly errors: RowError[]) {
    super('header mismatch');
  }
}

/** The bytes are not CSV (RFC 4180): the rule and where, never the data (csv-parse's own error quotes it, so it never leaves here). */
export class CsvFormatError extends Error {
  constructor(readonly error: RowError) {
    super('malformed CSV');
  }
}

/**
 * One block of a larger file (see ParallelRowSink): the block starts at a record boundary,
 * so a fresh parser reads it whole; `order` is the header's mapping when an earlier block
 * held the header (null: this block's first record is the header), `bom` only for the
 * file's first block. Lines come out relative to the block's first line.
 */
export interface BlockMode {
  order: number[] | null;
  bom: boolean;
  /** Set false to make a quote-free block go through csv-parse too (tests compare the two). */
  quoteFree?: boolean;
}

/**
 * A block that needs no CSV parser: no double quote (so every comma separates fields and
 * every line feed ends a record), valid UTF-8, every CR part of a CRLF, and shorter than the
 * record-size limit (so no record can exceed it). Such a block splits exactly as csv-parse
 * reads it with RowSink's options; row-sink.spec.ts compares the two on random blocks.
 */
export function isQuoteFree(bytes: Buffer): boolean {
  if (bytes.length > MAX_RECORD_CHARS || bytes.indexOf(QUOTE) !== -1) return false;
  for (let at = bytes.indexOf(CR); at !== -1; at = bytes.indexOf(CR, at + 1)) if (bytes[at + 1] !== LF) return false;
  return isUtf8(bytes);
}

/** Bytes of each accepted row's linkage-key fingerprint (the first bytes of its HMAC). */
export const FINGERPRINT_BYTES = 8;

/** How many times `ch` occurs in the record's fields. */
function occurrences(record: string[], ch: string): number {
  let n = 0;
  for (const field of record) for (let at = field.indexOf(ch); at !== -1; at = field.indexOf(ch, at + 1)) n++;
  return n;
}

/**
 * CSV bytes in, PostgreSQL COPY text bytes out: csv-parse (RFC 4180: comma, double quotes,
 * LF or CRLF records, BOM, empty lines skipped, a record-size limit) with every record
 * checked against the catalogue, linkage values replaced by their keyed pseudonym, and the
 * COPY lines handed on in ~64 KB batches. After the first invalid row nothing more is
 * written, but every row is still checked so that the steward gets every problem in one pass.
 *
 * Line numbers without csv-parse's per-record `info` copy (`info: true` and `on_record`
 * both build one, ~2.2 s per million rows): csv-parse hands each record to `this.push`
 * synchronously while its live `info` counters still describe it, so intercepting there
 * reads `info.lines` for free. csv-parse counts every CR or LF inside a field as a line
 * break; a physical line ends with LF only, so CRs inside fields are counted off
 * (scanned for only once the input has shown a CR at all).
 */
export class RowSink extends Parser {
  rowsAccepted = 0;
  errorCount = 0;
  readonly errors: RowError[] = [];
  sawHeader = false;
  /** The header's mapping of columns, once read. */
  order: number[] | null = null;

  private validate: ReturnType<typeof compileRowValidator> | null = null;
  private fatal: Error | null = null;
  private batch: string[] = [];
  private batchBytes = 0;
  /** The input has a CR somewhere: fields may hold some, and csv-parse counts each as a line. */
  private crMode = false;
  /** CRs inside the fields of the records read so far. */
  private crInFields = 0;
  /** csv-parse's line and empty-line counters when the last record ended. */
  private lastRecordEnd = 0;
  private lastRecordEmpty = 0;
  /** With `trackLines`: the line each accepted row starts on, 4 bytes a row (a person-level dataset's repeat is reported by line). */
  private lines: Uint32Array | null = null;
  /** With `trackLines` in block mode: each accepted row's key fingerprint, FINGERPRINT_BYTES a row. */
  private fingerprints: Buffer | null = null;
  /** The pseudonym the last checked row's linkage key became. */
  private lastPseudonym = '';
  private readonly pseudonymise: (raw: string) => string;

  constructor(
    private readonly columns: ColumnDescriptor[],
    pseudonymise: (raw: string) => string,
    trackLines = false,
    private readonly block: BlockMode | null = null,
  ) {
    super({
      bom: block ? block.bom : true,
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_CHARS,
      // The stream side: bytes in, COPY bytes out, with a few batches of slack towards COPY.
      readableObjectMode: false,
      writableHighWaterMark: BATCH_BYTES,
      readableHighWaterMark: 4 * BATCH_BYTES,
    } as ConstructorParameters<typeof Parser>[0]);
    if (trackLines) this.lines = new Uint32Array(1024);
    if (trackLines && block) this.fingerprints = Buffer.allocUnsafeSlow(1024 * FINGERPRINT_BYTES);
    this.pseudonymise = this.fingerprints ? (raw) => (this.lastPseudonym = pseudonymise(raw)) : pseudonymise;
    if (block?.order) {
      this.sawHeader = true;
      this.validate = compileRowValidator(columns, block.order, this.pseudonymise);
    }
  }

  /**
   * Block mode: reads one whole block synchronously (csv-parse's transform and flush call
   * back before returning) and hands back the COPY text of its accepted rows, or the error
   * the stream would have failed with.
   */
  parseBlock(bytes: Buffer): { copy: string; error: Error | null; lines: Uint32Array | null; fingerprints: Buffer | null } {
    let error: Error | null = null;
    const callback = (err?: Error | null) => {
      if (err) error = err;
    };
    if (this.block?.quoteFree !== false && isQuoteFree(bytes)) error = this.splitQuoteFree(bytes);
    else {
      this._transform(bytes, 'buffer' as BufferEncoding, callback);
      if (!error) this._flush(callback);
    }
    const copy = this.errorCount === 0 && !error ? this.batch.join('') : '';
    return {
      copy,
      error,
      lines: this.lines ? this.lines.subarray(0, this.rowsAccepted) : null,
      fingerprints: this.fingerprints ? this.fingerprints.subarray(0, this.rowsAccepted * FINGERPRINT_BYTES) : null,
    };
  }

  /**
   * A quote-free block (isQuoteFree), read without csv-parse: records are its lines (CRLF or
   * LF; empty ones skipped, as csv-parse's skip_empty_lines does), fields what lies between
   * commas. About a quarter of csv-parse's CPU for the same records and line numbers.
   */
  private splitQuoteFree(bytes: Buffer): Error | null {
    const bom = this.block?.bom && bytes.subarray(0, 3).equals(BOM) ? 3 : 0;
    const text = bytes.toString('utf8', bom);
    let line = 0;
    for (let start = 0; start < text.length && !this.fatal; ) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      line++;
      const stop = end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end;
      if (stop > start) this.record(text.slice(start, stop).split(','), line, line);
      start = end + 1;
    }
    return this.fatal;
  }

  /** The line the n-th accepted row (1-based, in COPY order) starts on; 0 when lines are not tracked. */
  lineOfRow(n: number): number {
    return this.lines && n >= 1 && n <= this.rowsAccepted ? this.lines[n - 1] : 0;
  }

  /** The physical line on which the last record read ends (0 before any). */
  get lastLine(): number {
    return this.lastRecordEnd - this.crInFields;
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.crMode && chunk.indexOf(CR) !== -1) this.crMode = true;
    super._transform(chunk, encoding, (err?: Error | null) => {
      if (err || this.fatal) return done(this.failure(err));
      if (this.batchBytes >= BATCH_BYTES) this.pushBatch();
      done();
    });
  }

  override _flush(done: TransformCallback): void {
    super._flush((err?: Error | null) => {
      if (err || this.fatal) return done(this.failure(err));
      if (this.errorCount === 0) this.pushBatch();
      done();
    });
  }

  /** csv-parse's way out: a parsed record (an array), or this class's own COPY bytes. */
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (!Array.isArray(chunk)) return super.push(chunk, encoding);
    if (!this.fatal) {
      const record = chunk as string[];
      if (this.crMode) this.crInFields += occurrences(record, '\r');
      this.lastRecordEmpty = this.info.empty_lines;
      this.record(record, this.info.lines);
    }
    return true;
  }

  /**
   * One record, whose last line (counting CRs inside fields as csv-parse does) is `endLine`;
   * `startLine` when the caller knows it (a quote-free record is one line), else worked out
   * from the line feeds inside its fields.
   */
  private record(record: string[], endLine: number, startLine?: number): void {
    this.lastRecordEnd = endLine;
    if (!this.validate) {
      this.sawHeader = true;
      const header = matchHeader(this.columns, record);
      if ('errors' in header) this.fatal = new HeaderMismatch(header.errors);
      else {
        this.order = header.order;
        this.validate = compileRowValidator(this.columns, header.order, this.pseudonymise);
      }
      return;
    }
    const row = this.validate(record, 0);
    if (row.errors) {
      // The line is only worked out for a refused row: where its record starts.
      const line = startLine ?? this.lastLine - occurrences(record, '\n');
      this.errorCount += row.errors.length;
      for (const e of row.errors) if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ ...e, line });
      this.batch = [];
      this.batchBytes = 0;
      return;
    }
    if (this.errorCount > 0) return; // refused whole: stop writing, keep validating
    if (this.lines) {
      if (this.rowsAccepted === this.lines.length) {
        const grown = new Uint32Array(this.lines.length * 2);
        grown.set(this.lines);
        this.lines = grown;
      }
      this.lines[this.rowsAccepted] = startLine ?? this.lastLine - occurrences(record, '\n');
    }
    if (this.fingerprints) {
      if ((this.rowsAccepted + 1) * FINGERPRINT_BYTES > this.fingerprints.length) {
        const grown = Buffer.allocUnsafeSlow(this.fingerprints.length * 2);
        this.fingerprints.copy(grown);
        this.fingerprints = grown;
      }
      this.fingerprints.write(this.lastPseudonym, this.rowsAccepted * FINGERPRINT_BYTES, FINGERPRINT_BYTES, 'hex');
    }
    this.rowsAccepted++;
    this.batch.push(row.copyLine);
    this.batchBytes += row.copyLine.length;
  }

  private pushBatch(): void {
    if (!this.batch.length || this.block) return; // a block's rows are handed back whole by parseBlock
    super.push(Buffer.from(this.batch.join(''), 'utf8'));
    this.batch = [];
    this.batchBytes = 0;
  }

  /** What the pipeline fails with: ours, or csv-parse's reduced to its rule and the line where the broken record starts. */
  private failure(err: Error | null | undefined): Error {
    if (this.fatal) return this.fatal;
    if (!(err instanceof CsvError)) return err as Error;
    const line = this.lastLine + 1 + (this.info.empty_lines - this.lastRecordEmpty);
    const rule = err.code === 'CSV_MAX_RECORD_SIZE' ? 'record longer than the limit' : 'malformed CSV';
    return new CsvFormatError({ line, column: null, message: `${rule} (${err.code})` });
  }
}
