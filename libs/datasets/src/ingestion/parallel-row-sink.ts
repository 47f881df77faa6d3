import { Transform, TransformCallback } from 'node:stream';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import type { BlockResult, BlockTask } from './row-block';
import { CsvFormatError, FINGERPRINT_BYTES, HeaderMismatch, MAX_LISTED_ERRORS, MAX_RECORD_CHARS } from './row-sink';
import type { RowError } from './row-validator';

/** Blocks handed to the row workers are cut at the first record boundary past this size. */
export const BLOCK_BYTES = 256 * 1024;
/**
 * With no record boundary in sight for this long, the bytes go as one block anyway: the
 * record that began at the last boundary is then longer than csv-parse's limit (4 bytes
 * at most per character), or malformed, and the worker reports it exactly as one parser
 * over the whole stream would. Bounds what this side holds.
 */
const FORCE_BYTES = 4 * MAX_RECORD_CHARS + BLOCK_BYTES;
const QUOTE = 0x22;
const LF = 0x0a;

/** Runs one block (a worker pool, or the calling thread in tests). */
export type BlockRunner = (task: BlockTask) => Promise<BlockResult>;

/**
 * CSV bytes in, COPY text bytes out, in order — the work spread over row workers.
 *
 * The stream is cut into blocks at record boundaries: a line feed outside quotes. In
 * RFC 4180 every double quote toggles the quoted state (an escaped `""` toggles twice),
 * so counting them finds the boundaries without parsing; a file where that count goes
 * wrong is malformed, and the block holding the fault starts at a true boundary, so its
 * worker fails it where a single parser would. Each block is parsed, checked and
 * pseudonymised by a worker (RowSink in block mode); results are merged in file order:
 * lines shifted by the line feeds before the block, errors listed and counted as one
 * RowSink would, COPY bytes pushed until the first refused row. At most `maxInFlight`
 * blocks are out at once and the COPY side's back-pressure holds the input (Transform's): memory
 * stays bounded. The header is read first, alone, since every other block needs its mapping.
 */
export class ParallelRowSink extends Transform {
  rowsAccepted = 0;
  errorCount = 0;
  readonly errors: RowError[] = [];
  sawHeader = false;
  /** The physical line on which the last merged record ends. */
  lastLine = 0;

  private order: number[] | null = null;
  private failed: Error | null = null;
  // The splitter: bytes since the last cut, the quoted state at their end, the last boundary in them.
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private inQuote = false;
  private boundary = 0;
  // Blocks: cut, dispatched, held until the header is known, merged.
  private nextIndex = 0;
  private nextMerge = 0;
  private inFlight = 0;
  private headerBlockOut = false;
  private held: { index: number; bytes: Uint8Array }[] = [];
  private results = new Map<number, BlockResult | Error>();
  private lineBase = 1;
  private waiting: TransformCallback | null = null;
  private flushing: TransformCallback | null = null;
  // Person-level datasets: the line and the key fingerprint of each accepted row.
  private lines: Uint32Array | null = null;
  private fingerprints: Buffer | null = null;

  constructor(
    private readonly columns: ColumnDescriptor[],
    private readonly key: string,
    private readonly run: BlockRunner,
    private readonly trackRows: boolean,
    private readonly maxInFlight: number,
    private readonly blockBytes = BLOCK_BYTES,
  ) {
    super({ writableHighWaterMark: 64 * 1024, readableHighWaterMark: 1024 * 1024 });
    if (trackRows) {
      this.lines = new Uint32Array(1024);
      this.fingerprints = Buffer.allocUnsafeSlow(1024 * FINGERPRINT_BYTES);
    }
  }

  /** The line the n-th accepted row (1-based, in COPY order) starts on; 0 when rows are not tracked. */
  lineOfRow(n: number): number {
    return this.lines && n >= 1 && n <= this.rowsAccepted ? this.lines[n - 1] : 0;
  }

  /**
   * Whether two accepted rows may share a linkage key: two equal 64-bit fingerprints (the
   * first bytes of their HMACs). No shared fingerprint proves no repeat; a shared one is
   * almost surely a repeat (a chance collision is about n²/2⁶⁵), which the caller confirms
   * exactly in SQL. Sorts the fingerprints in place: call once, at the end.
   */
  mayRepeatKey(): boolean {
    if (!this.fingerprints || this.rowsAccepted < 2) return false;
    const keys = new BigUint64Array(this.fingerprints.buffer, this.fingerprints.byteOffset, this.rowsAccepted).sort();
    for (let i = 1; i < keys.length; i++) if (keys[i] === keys[i - 1]) return true;
    return false;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.failed) return done(this.failed);
    this.scan(chunk);
    if (this.boundary > 0 && this.pendingBytes >= (this.nextIndex === 0 ? 1 : this.blockBytes)) this.cut(this.boundary);
    else if (this.boundary === 0 && this.pendingBytes >= FORCE_BYTES) this.cut(this.pendingBytes);
    this.waiting = done;
    this.release();
  }

  override _flush(done: TransformCallback): void {
    if (this.failed) return done(this.failed);
    if (this.pendingBytes > 0) this.cut(this.pendingBytes);
    if (this.inFlight === 0) done(this.failed);
    else this.flushing = done;
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.failed ??= err ?? new Error('destroyed');
    this.pending = [];
    this.held = [];
    this.results.clear();
    callback(err);
  }

  /** Appends a chunk, following the quoted state to find the last boundary (absolute offset just after it). Linear in the chunk. */
  private scan(chunk: Buffer): void {
    const base = this.pendingBytes;
    let at = 0;
    let nextLf = chunk.indexOf(LF); // cached until passed: the scan stays linear whatever the quoting
    for (;;) {
      const quote = chunk.indexOf(QUOTE, at);
      const end = quote === -1 ? chunk.length : quote;
      if (!this.inQuote && nextLf !== -1) {
        if (nextLf < at) nextLf = chunk.indexOf(LF, at);
        if (nextLf !== -1 && nextLf < end) this.boundary = base + chunk.lastIndexOf(LF, end - 1) + 1;
      }
      if (quote === -1) break;
      this.inQuote = !this.inQuote;
      at = quote + 1;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }

  /** Cuts the first `length` pending bytes off as the next block, into memory of its own (it is transferred). */
  private cut(length: number): void {
    const bytes = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const head = this.pending[0];
      const take = Math.min(head.length, length - filled);
      bytes.set(take === head.length ? head : head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    this.pendingBytes -= length;
    this.boundary = Math.max(0, this.boundary - length);
    this.inFlight++;
    const index = this.nextIndex++;
    if (this.order || (!this.headerBlockOut && this.held.length === 0)) this.dispatch(index, bytes);
    else this.held.push({ index, bytes });
  }

  private dispatch(index: number, bytes: Uint8Array): void {
    if (!this.order) this.headerBlockOut = true;
    const task: BlockTask = { columns: this.columns, key: this.key, bytes, order: this.order, bom: index === 0, trackRows: this.trackRows };
    this.run(task).then(
      (result) => this.settle(index, result),
      (err: Error) => this.settle(index, err),
    );
  }

  private settle(index: number, result: BlockResult | Error): void {
    if (this.destroyed) return;
    this.results.set(index, result);
    for (let next = this.results.get(this.nextMerge); next !== undefined; next = this.results.get(this.nextMerge)) {
      this.results.delete(this.nextMerge++);
      this.inFlight--;
      if (!this.failed) this.merge(next);
    }
    if (this.failed) return this.fail();
    // The header is known (or still to come, in the next block): release the blocks held for it.
    while (!this.headerBlockOut && this.held.length) {
      const { index: i, bytes } = this.held.shift()!;
      this.dispatch(i, bytes);
      if (!this.order) break;
    }
    this.release();
    if (this.flushing && this.inFlight === 0) {
      const done = this.flushing;
      this.flushing = null;
      done();
    }
  }

  /**
   * Takes more input while fewer than maxInFlight blocks are out. COPY's pace is Transform's
   * own business: once a merge has filled its buffer, it parks the callback given here until
   * COPY reads. (Holding input here on a full buffer as well stalled uploads: Readable calls
   * `_read` before it takes out the bytes it reads, and again only after a push, so the
   * buffer still looked full at the one moment the input could have been let go.)
   */
  private release(): void {
    if (!this.waiting || this.inFlight >= this.maxInFlight) return;
    const done = this.waiting;
    this.waiting = null;
    done();
  }

  private merge(result: BlockResult | Error): void {
    if (result instanceof Error) {
      this.failed = result;
      return;
    }
    const shift = this.lineBase - 1;
    this.lineBase += result.newlines;
    if (result.sawHeader) this.sawHeader = true;
    if (result.fatal) {
      this.failed = result.fatal.header
        ? new HeaderMismatch(result.fatal.errors)
        : new CsvFormatError({ ...result.fatal.errors[0], line: result.fatal.errors[0].line + shift });
      return;
    }
    if (!this.order && result.sawHeader) this.order = result.order;
    // Any header block is back: the header was read (held blocks follow), or the block held only empty lines (the next one reads it).
    this.headerBlockOut = false;
    if (result.lastLine > 0) this.lastLine = result.lastLine + shift;
    for (const e of result.errors) if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ ...e, line: e.line + shift });
    this.errorCount += result.errorCount;
    if (this.errorCount > 0) return; // refused whole: nothing more is written, every row is still checked
    this.append(result, shift);
    if (result.copy.byteLength) this.push(Buffer.from(result.copy.buffer, result.copy.byteOffset, result.copy.byteLength));
  }

  private append(result: BlockResult, shift: number): void {
    const at = this.rowsAccepted;
    this.rowsAccepted += result.rows;
    if (!this.lines || !this.fingerprints || !result.lines || !result.fingerprints) return;
    if (this.rowsAccepted > this.lines.length) {
      let size = this.lines.length;
      while (size < this.rowsAccepted) size *= 2;
      const lines = new Uint32Array(size);
      lines.set(this.lines.subarray(0, at));
      this.lines = lines;
      const fingerprints = Buffer.allocUnsafeSlow(size * FINGERPRINT_BYTES);
      this.fingerprints.copy(fingerprints, 0, 0, at * FINGERPRINT_BYTES);
      this.fingerprints = fingerprints;
    }
    for (let i = 0; i < result.rows; i++) this.lines[at + i] = result.lines[i] + shift;
    this.fingerprints.set(result.fingerprints, at * FINGERPRINT_BYTES);
  }

  private fail(): void {
    const err = this.failed as Error;
    this.held = [];
    const done = this.waiting ?? this.flushing;
    this.waiting = null;
    this.flushing = null;
    if (done) done(err);
    else this.destroy(err);
  }
}
