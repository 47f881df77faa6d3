import { Transform, TransformCallback } from 'node:stream';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import { compileRowValidator, matchHeader, RowError } from './row-validator';

/** How many errors an upload keeps (all are counted). */
export const MAX_LISTED_ERRORS = 100;
const BATCH_BYTES = 64 * 1024;

/** Thrown through the pipeline when the header does not match the catalogue: nothing after it is read. */
export class HeaderMismatch extends Error {
  constructor(readonly errors: RowError[]) {
    super('header mismatch');
  }
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * csv-parse records in, COPY text bytes out. Checks the header, validates every row and
 * pseudonymises linkage values; after the first invalid row it writes nothing more but
 * keeps counting errors, so the steward gets every problem in one pass.
 */
export class RowSink extends Transform {
  rowsAccepted = 0;
  errorCount = 0;
  readonly errors: RowError[] = [];
  sawHeader = false;
  lastLine = 0;
  private validate: ReturnType<typeof compileRowValidator> | null = null;
  private batch: string[] = [];
  private batchBytes = 0;

  constructor(
    private readonly columns: ColumnDescriptor[],
    private readonly pseudonymise: (raw: string) => string,
  ) {
    super({ writableObjectMode: true, readableObjectMode: false, writableHighWaterMark: 256 });
  }

  override _transform({ record, info }: ParsedRecord, _enc: BufferEncoding, done: TransformCallback): void {
    this.lastLine = info.lines;
    if (!this.validate) {
      this.sawHeader = true;
      const header = matchHeader(this.columns, record);
      if ('errors' in header) return done(new HeaderMismatch(header.errors));
      this.validate = compileRowValidator(this.columns, header.order, this.pseudonymise);
      return done();
    }
    const row = this.validate(record, info.lines);
    if (row.errors) {
      this.errorCount += row.errors.length;
      for (const e of row.errors) if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(e);
      this.discardBatch();
      return done();
    }
    if (this.errorCount > 0) return done(); // refused whole: stop writing, keep validating
    this.rowsAccepted++;
    this.batch.push(row.copyLine);
    this.batchBytes += row.copyLine.length;
    if (this.batchBytes >= BATCH_BYTES) this.pushBatch();
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.errorCount === 0) this.pushBatch();
    done();
  }

  private pushBatch(): void {
    if (!this.batch.length) return;
    this.push(Buffer.from(this.batch.join(''), 'utf8'));
    this.discardBatch();
  }

  private discardBatch(): void {
    this.batch = [];
    this.batchBytes = 0;
  }
}
