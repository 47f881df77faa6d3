import type { ColumnDescriptor } from '../catalogue/column-schema';
import { pseudonymiser } from './pseudonym';
import { CsvFormatError, HeaderMismatch, RowSink } from './row-sink';
import type { RowError } from './row-validator';

/** One block of CSV bytes that starts at a record boundary, and what to check it against. */
export interface BlockTask {
  columns: ColumnDescriptor[];
  /** The pseudonym key: in this process's memory only (a worker thread shares the process). */
  key: string;
  bytes: Uint8Array;
  /** The header's mapping when an earlier block held it; null: this block's first record is the header. */
  order: number[] | null;
  /** The file's first block: a BOM may open it. */
  bom: boolean;
  /** A person-level dataset: each accepted row's line and linkage-key fingerprint come back. */
  trackRows: boolean;
}

/**
 * What a block yields. Lines are relative to the block (1 = its first line). Never a raw
 * value: errors name the rule and the column, `copy` holds pseudonyms in place of linkage
 * values, and it leaves the process only through COPY.
 */
export interface BlockResult {
  copy: Uint8Array;
  rows: number;
  errors: RowError[];
  errorCount: number;
  /** The block read the header (its mapping), or failed on it. */
  sawHeader: boolean;
  order: number[] | null;
  /** A failure that stops the whole upload: the header does not match, or the bytes are not CSV. */
  fatal: { header: boolean; errors: RowError[] } | null;
  /** The line on which the block's last record ends (0 if none). */
  lastLine: number;
  /** Line feeds in the block: where the next block's lines start. */
  newlines: number;
  lines: Uint32Array | null;
  fingerprints: Uint8Array | null;
}

/** Parses, checks and pseudonymises one block: the work a row worker does (or the calling thread). */
export function processBlock(task: BlockTask): BlockResult {
  const sink = new RowSink(task.columns, pseudonymiser(task.key), task.trackRows, { order: task.order, bom: task.bom });
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  const out = sink.parseBlock(bytes);
  let fatal: BlockResult['fatal'] = null;
  if (out.error instanceof HeaderMismatch) fatal = { header: true, errors: out.error.errors };
  else if (out.error instanceof CsvFormatError) fatal = { header: false, errors: [out.error.error] };
  else if (out.error) throw new Error('block parse failed'); // no message of the parser's: it may quote the data
  // Own, unpooled memory, so that each can be transferred back rather than copied.
  const copy = Buffer.allocUnsafeSlow(Buffer.byteLength(out.copy, 'utf8'));
  copy.write(out.copy, 0, 'utf8');
  return {
    copy,
    rows: sink.rowsAccepted,
    errors: sink.errors,
    errorCount: sink.errorCount,
    sawHeader: sink.sawHeader,
    order: sink.order,
    fatal,
    lastLine: sink.lastLine,
    newlines: countNewlines(bytes),
    lines: out.lines ? out.lines.slice() : null,
    fingerprints: out.fingerprints ? new Uint8Array(out.fingerprints) : null,
  };
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) n++;
  return n;
}
