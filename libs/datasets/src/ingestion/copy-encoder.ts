import { Transform, TransformCallback } from 'node:stream';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import { CategoryBytes } from './category-bytes';
import { HmacSha256 } from './hmac-sha256';
import { normaliseLinkageValue } from './pseudonym';
import { cellCheck, CellCheck, copyTextValue, matchHeader, RowError } from './row-validator';

/** How many errors an upload keeps (all are counted). */
export const MAX_LISTED_ERRORS = 100;
/** Longest CSV record accepted, in bytes: bounds what is held (an unclosed quote would otherwise swallow the file). */
export const MAX_RECORD_BYTES = 1_000_000;
/** COPY data is handed on in chunks of about this size. */
const BATCH_BYTES = 64 * 1024;

const QUOTE = 0x22, COMMA = 0x2c, LF = 0x0a, CR = 0x0d, BACKSLASH = 0x5c, TAB = 0x09;

/** Thrown through the pipeline when the header does not match the catalogue: nothing after it is read. */
export class HeaderMismatch extends Error {
  constructor(readonly errors: RowError[]) {
    super('header mismatch');
  }
}

/** The bytes are not CSV (RFC 4180): the rule and where, never the data. */
export class CsvFormatError extends Error {
  constructor(readonly error: RowError) {
    super('malformed CSV');
  }
}

const malformed = (line: number, code: string) => new CsvFormatError({ line, column: null, message: `malformed CSV (${code})` });

/** The COPY bytes being built; grows (copying what it holds) rather than overflow mid-row. */
class Output {
  buf = Buffer.allocUnsafe(2 * BATCH_BYTES);
  pos = 0;
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }
  /** Hands over what is held and starts a fresh buffer (the old one now belongs downstream). */
  take(): Buffer {
    const done = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(2 * BATCH_BYTES);
    this.pos = 0;
    return done;
  }
}

/** Writes one cell's COPY text at out.pos: null when valid, else the broken rule. `quoting` is 0 plain, 1 quoted, 2 quoted with "" escapes. */
type CellEncoder = (data: Buffer, start: number, end: number, quoting: number) => string | null;

function fieldText(data: Buffer, start: number, end: number, quoting: number): string {
  const text = data.toString('utf8', start, end);
  return quoting === 2 ? text.replace(/""/g, '"') : text;
}

/**
 * CSV bytes in, PostgreSQL COPY text bytes out, in one pass without a per-record object:
 * an RFC 4180 scanner (comma, double quotes, LF or CRLF records, BOM, empty lines skipped)
 * feeds per-column encoders that validate every cell and write its canonical text,
 * linkage values replaced by their keyed pseudonym, straight into the output buffer.
 * Common cells take a byte-level fast path that only ever accepts what the string rules
 * of row-validator accept, with the same output; anything else (and every refusal) goes
 * through those rules. After the first invalid row nothing more is written, but every
 * row is still checked so that the steward gets every problem in one pass.
 */
export class CopyEncoder extends Transform {
  rowsAccepted = 0;
  errorCount = 0;
  readonly errors: RowError[] = [];
  sawHeader = false;
  /** The line of the last record read. */
  lastLine = 0;

  private readonly out = new Output();
  private readonly hmac: HmacSha256;
  private encoders: CellEncoder[] | null = null;
  private order: number[] = [];
  private tail: Buffer | null = null;
  private started = false;
  private line = 1;
  private starts = new Int32Array(16);
  private ends = new Int32Array(16);
  private quoting = new Uint8Array(16);
  private fieldCount = 0;
  private recordLines = 0;

  constructor(
    private readonly columns: ColumnDescriptor[],
    pseudonymKey: string,
  ) {
    // A few batches of slack on the way out, so that the COPY socket and the encoder rarely wait on each other.
    super({ writableHighWaterMark: BATCH_BYTES, readableHighWaterMark: 4 * BATCH_BYTES });
    this.hmac = new HmacSha256(pseudonymKey);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    try {
      const consumed = this.consume(data, false);
      this.tail = consumed < data.length ? data.subarray(consumed) : null;
      if (this.tail && this.tail.length > MAX_RECORD_BYTES) {
        throw new CsvFormatError({ line: this.line, column: null, message: 'record longer than the limit (CSV_MAX_RECORD_SIZE)' });
      }
    } catch (err) {
      return done(err as Error);
    }
    if (this.out.pos >= BATCH_BYTES) this.push(this.out.take());
    done();
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.tail) this.consume(this.tail, true);
      this.tail = null;
    } catch (err) {
      return done(err as Error);
    }
    if (this.errorCount === 0 && this.out.pos > 0) this.push(this.out.take());
    done();
  }

  /** Handles every whole record of `data`; returns how many bytes it used. */
  private consume(data: Buffer, final: boolean): number {
    let p = 0;
    if (!this.started) {
      if (data.length < 3 && !final) return 0;
      this.started = true;
      if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) p = 3;
    }
    while (p < data.length) {
      const end = this.scanRecord(data, p, final);
      if (end < 0) break;
      const line = this.line;
      this.line += this.recordLines;
      if (end - p > MAX_RECORD_BYTES) throw new CsvFormatError({ line, column: null, message: 'record longer than the limit (CSV_MAX_RECORD_SIZE)' });
      const empty = this.fieldCount === 1 && this.quoting[0] === 0 && this.ends[0] === this.starts[0];
      if (!empty) {
        this.lastLine = line;
        if (this.encoders) this.row(data, line, end - p);
        else this.header(data);
      }
      p = end;
    }
    return p;
  }

  /** Finds the fields of the record at `p`; returns the offset after it, or -1 if it is not whole yet. */
  private scanRecord(data: Buffer, p: number, final: boolean): number {
    const len = data.length;
    let i = p;
    let n = 0;
    let lines = 0;
    for (;;) {
      if (n === this.starts.length) this.growFields();
      if (i < len && data[i] === QUOTE) {
        let j = i + 1;
        let quoting = 1;
        for (;;) {
          j = data.indexOf(QUOTE, j);
          if (j < 0) {
            if (final) throw malformed(this.line, 'CSV_QUOTE_NOT_CLOSED');
            return -1;
          }
          if (j + 1 >= len && !final) return -1; // the next byte decides
          if (j + 1 < len && data[j + 1] === QUOTE) {
            j += 2;
            quoting = 2;
            continue;
          }
          break;
        }
        for (let k = i + 1; k < j; k++) if (data[k] === LF) lines++;
        this.starts[n] = i + 1;
        this.ends[n] = j;
        this.quoting[n++] = quoting;
        i = j + 1;
        if (i >= len) break; // final: the record ends with the data
        const c = data[i];
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === LF) {
          i++;
          lines++;
          break;
        }
        if (c === CR && i + 1 >= len && !final) return -1;
        if (c === CR && i + 1 < len && data[i + 1] === LF) {
          i += 2;
          lines++;
          break;
        }
        throw malformed(this.line + lines, 'CSV_INVALID_CLOSING_QUOTE');
      }
      let j = i;
      let c = 0;
      while (j < len) {
        c = data[j];
        if (c === COMMA || c === LF) break;
        if (c === QUOTE) throw malformed(this.line + lines, 'CSV_INVALID_OPENING_QUOTE');
        j++;
      }
      if (j >= len && !final) return -1;
      let fieldEnd = j;
      if (j < len && c === LF && fieldEnd > i && data[fieldEnd - 1] === CR) fieldEnd--;
      this.starts[n] = i;
      this.ends[n] = fieldEnd;
      this.quoting[n++] = 0;
      if (j >= len) {
        i = len;
        break;
      }
      i = j + 1;
      if (c === LF) {
        lines++;
        break;
      }
    }
    this.fieldCount = n;
    this.recordLines = lines;
    return i;
  }

  private growFields(): void {
    const size = this.starts.length * 2;
    const [starts, ends, quoting] = [new Int32Array(size), new Int32Array(size), new Uint8Array(size)];
    starts.set(this.starts);
    ends.set(this.ends);
    quoting.set(this.quoting);
    [this.starts, this.ends, this.quoting] = [starts, ends, quoting];
  }

  private header(data: Buffer): void {
    this.sawHeader = true;
    const names: string[] = [];
    for (let f = 0; f < this.fieldCount; f++) names.push(fieldText(data, this.starts[f], this.ends[f], this.quoting[f]));
    const matched = matchHeader(this.columns, names);
    if ('errors' in matched) throw new HeaderMismatch(matched.errors);
    this.order = matched.order;
    this.encoders = this.columns.map((c) => this.cellEncoder(c));
  }

  private row(data: Buffer, line: number, recordBytes: number): void {
    const encoders = this.encoders as CellEncoder[];
    const width = encoders.length;
    if (this.fieldCount !== width) {
      return this.refuse([{ line, column: null, message: `expected ${width} fields, found ${this.fieldCount}` }]);
    }
    const out = this.out;
    out.reserve(recordBytes * 2 + width + 1);
    let errors: RowError[] | null = null;
    for (let i = 0; i < width; i++) {
      if (i > 0) out.byte(TAB);
      const f = this.order[i];
      const broken = encoders[i](data, this.starts[f], this.ends[f], this.quoting[f]);
      if (broken !== null) (errors ??= []).push({ line, column: this.columns[i].name, message: broken });
    }
    out.byte(LF);
    if (errors) return this.refuse(errors);
    if (this.errorCount > 0) {
      out.pos = 0; // refused whole: stop writing, keep validating
      return;
    }
    this.rowsAccepted++;
  }

  private refuse(errors: RowError[]): void {
    this.errorCount += errors.length;
    for (const e of errors) if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(e);
    this.out.pos = 0;
  }

  /** The slow path: the string rules of row-validator, then the canonical value escaped for COPY. */
  private viaRules(check: CellCheck): CellEncoder {
    const out = this.out;
    return (data, start, end, quoting) => {
      const result = check(fieldText(data, start, end, quoting));
      if (!result.ok) return result.message;
      const text = copyTextValue(result.value);
      out.reserve(Buffer.byteLength(text, 'utf8'));
      out.pos += out.buf.write(text, out.pos, 'utf8');
      return null;
    };
  }

  private cellEncoder(column: ColumnDescriptor): CellEncoder {
    const out = this.out;
    const hmac = this.hmac;
    const slow = this.viaRules(cellCheck(column, (raw) => hmac.hex(normaliseLinkageValue(raw))));
    if (column.role === 'linkage_key') {
      const digitsOnly = column.type === 'integer';
      // Already canonical (no space, upper case): the pseudonym of the bytes as they are.
      return (data, start, end, quoting) => {
        if (quoting === 2 || end === start) return slow(data, start, end, quoting);
        for (let k = start; k < end; k++) {
          const b = data[k];
          if (!((b >= 0x30 && b <= 0x39) || (!digitsOnly && b >= 0x41 && b <= 0x5a))) return slow(data, start, end, quoting);
        }
        out.reserve(64);
        hmac.hexInto(data, start, end, out.buf, out.pos);
        out.pos += 64;
        return null;
      };
    }
    if (column.type === 'integer') {
      const min = column.min ?? -Infinity;
      const max = column.max ?? Infinity;
      // Plain digits without a leading zero, in range: already canonical.
      return (data, start, end, quoting) => {
        const len = end - start;
        if (quoting === 2 || len === 0 || len > 15 || (len > 1 && data[start] === 0x30)) return slow(data, start, end, quoting);
        let n = 0;
        for (let k = start; k < end; k++) {
          const d = data[k] - 0x30;
          if (d < 0 || d > 9) return slow(data, start, end, quoting);
          n = n * 10 + d;
        }
        if (n < min || n > max) return slow(data, start, end, quoting);
        out.reserve(len);
        const buf = out.buf;
        for (let k = start; k < end; k++) buf[out.pos++] = data[k]; // Buffer.copy costs more for a few bytes
        return null;
      };
    }
    if (column.type === 'category') {
      const declared = new CategoryBytes(column.categories ?? []);
      // Without surrounding spaces trim() changes nothing: a declared category is stored as declared.
      return (data, start, end, quoting) => {
        if (quoting === 2 || end === start || !isPlainEdge(data[start]) || !isPlainEdge(data[end - 1])) return slow(data, start, end, quoting);
        const bytes = declared.find(data, start, end);
        if (!bytes) return slow(data, start, end, quoting);
        out.reserve(bytes.length);
        const buf = out.buf;
        for (let k = 0; k < bytes.length; k++) buf[out.pos++] = bytes[k];
        return null;
      };
    }
    if (column.type === 'text') {
      // Printable ASCII with plain edges: valid UTF-8, trim() changes nothing, no NUL; only COPY escapes to add.
      return (data, start, end, quoting) => {
        if (quoting === 2 || end === start || !isPlainEdge(data[start]) || !isPlainEdge(data[end - 1])) return slow(data, start, end, quoting);
        out.reserve(2 * (end - start));
        const buf = out.buf;
        let pos = out.pos;
        for (let k = start; k < end; k++) {
          const b = data[k];
          if (b >= 0x20 && b < 0x7f) {
            if (b === BACKSLASH) buf[pos++] = BACKSLASH;
            buf[pos++] = b;
          } else if (b === TAB) {
            buf[pos++] = BACKSLASH;
            buf[pos++] = 0x74;
          } else return slow(data, start, end, quoting); // pos not committed: the slow path rewrites the cell
        }
        out.pos = pos;
        return null;
      };
    }
    return slow;
  }
}

/** An ASCII byte that String.prototype.trim() never removes. */
function isPlainEdge(b: number): boolean {
  return b > 0x20 && b < 0x7f;
}
