import { createHash } from 'node:crypto';
import { finished, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { from as copyFrom } from 'pg-copy-streams';
import { AppConfig } from '@cadre/config';
import { VaultPools } from '@cadre/database';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import { ParallelRowSink } from './parallel-row-sink';
import { processBlock } from './row-block';
import { CsvFormatError, HeaderMismatch } from './row-sink';
import { RowWorkerPool } from './row-worker-pool';
import type { RowError } from './row-validator';
import { copySql, createTableSql, quoteIdent, VERSION_TABLE_PATTERN } from './vault-table';

export interface IngestRequest {
  /** The new version table (vault), a catalogue-generated name. */
  table: string;
  columns: ColumnDescriptor[];
  /** The CSV bytes as they arrive; never buffered whole. */
  source: Readable;
  /** The current version's content hash: the same bytes again load nothing (re-upload is harmless). */
  currentSha256?: string | null;
  /** A person-level dataset: its linkage key must be unique (a repeat refuses the upload). */
  uniqueLinkageKey?: boolean;
}

export interface IngestOutcome {
  status: 'succeeded' | 'failed';
  /** A succeeded upload whose bytes equal the current version's: nothing was loaded. */
  unchanged: boolean;
  rowsAccepted: number;
  errors: RowError[];
  errorCount: number;
  contentSha256: string;
  /** The source ended early (client gone): the outcome can no longer be delivered to it. */
  interrupted: boolean;
}

/**
 * The ordinal (1-based, in COPY order) of the first row whose linkage key an earlier row
 * already holds, or null. Run only when two rows' key fingerprints agree (a repeat, or a
 * rare chance collision): sorting a million 64-character keys in SQL takes seconds, the
 * fingerprints a fraction of one. Checked in SQL inside the ingest transaction, before the table is
 * handed over: the ingest role still owns the table it just created and filled, so it may
 * read it (finalised tables it cannot), and PostgreSQL sorts out of memory on disk — memory
 * stays bounded whatever the file's size, where a set of pseudonyms in this process grows
 * by ~100 MB per million rows. The table was created and filled by one COPY in this very
 * transaction, with nothing deleted or updated: its physical order (ctid) is the file's
 * order. Only the ordinal leaves SQL, never the key.
 */
async function firstRepeatedKey(client: { query: (sql: string) => Promise<{ rows: { n: string }[] }> }, table: string, column: string): Promise<number | null> {
  const { rows } = await client.query(
    `SELECT n FROM (SELECT row_number() OVER (ORDER BY ctid) AS n, row_number() OVER (PARTITION BY ${quoteIdent(column)} ORDER BY ctid) AS r
       FROM vault.${quoteIdent(table)}) AS ordered WHERE r > 1 ORDER BY n LIMIT 1`,
  );
  return rows.length ? Number(rows[0].n) : null;
}

/**
 * The data plane's write path. DESIGN: the CSV is ingested WHILE IT STREAMS, in the
 * process that receives it, under the ingest role (write-only on vault): queueing the
 * body for a worker would park raw values outside the vault (in Redis or the cadre
 * schema). Each upload is one vault transaction — CREATE TABLE, COPY FROM STDIN with
 * backpressure, vault.finalise_version() (hands the table to cadre_vault, readable by
 * cadre_compute only) — committed only if every row is valid; otherwise rolled back,
 * leaving no table. Governance rows are written afterwards by the caller on the app
 * connection; a crash in between leaves only an unreferenced table, which is swept.
 */
@Injectable()
export class IngestionService {
  constructor(
    private readonly pools: VaultPools,
    private readonly config: AppConfig,
    private readonly workers: RowWorkerPool,
  ) {}

  /** Streams a CSV into a new vault version table, all or nothing. Throws only on infrastructure failure. */
  async ingest(request: IngestRequest): Promise<IngestOutcome> {
    const { table, columns, source } = request;
    if (!VERSION_TABLE_PATTERN.test(table)) throw new Error('invalid version table name');
    const key = this.config.pseudonymKey;
    const hash = createHash('sha256');
    const linkage = request.uniqueLinkageKey ? columns.find((c) => c.role === 'linkage_key') : undefined;
    // One worker: the calling thread does the work itself, sparing a hop for nothing.
    const run = this.workers.size > 1 ? (task: Parameters<typeof processBlock>[0]) => this.workers.run(task) : async (task: Parameters<typeof processBlock>[0]) => processBlock(task);
    const sink = new ParallelRowSink(columns, key, run, linkage !== undefined, 2 * this.workers.size + 2);
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    let interrupted = false;
    // The request itself stays out of the pipeline: destroying it on a parse error would
    // cut the socket before the answer is sent. A client that goes away fails the tap.
    finished(source, { writable: false }, (err) => {
      if (err && !tap.destroyed) {
        interrupted = true;
        tap.destroy(err);
      }
    });
    source.pipe(tap);

    const client = await this.pools.ingest().connect();
    let clientBroken = false;
    try {
      await client.query('BEGIN');
      await client.query(createTableSql(table, columns));
      const copy = client.query(copyFrom(copySql(table, columns)));
      const copied = new Promise<void>((resolve, reject) => {
        copy.once('finish', resolve);
        copy.once('error', reject);
      });
      copied.catch(() => undefined);
      // The COPY stays out of the pipeline too: a pipeline error would be sent to the
      // server as the CopyFail message (and land in its log); no error text goes there.
      copy.once('error', (err) => sink.destroy(err));
      sink.pipe(copy);
      let fatal: RowError[] | null = null;
      try {
        await pipeline(tap, sink);
        await copied;
      } catch (err) {
        if (err instanceof HeaderMismatch) fatal = err.errors;
        else if (err instanceof CsvFormatError) fatal = [err.error];
        else if (interrupted) fatal = [{ line: sink.lastLine + 1, column: null, message: 'the upload was interrupted' }];
        else throw err;
        source.unpipe(tap);
        source.resume(); // drain what is left so that the answer reaches the client
        sink.unpipe(copy);
        if (!copy.destroyed) copy.destroy(new Error('upload refused'));
        await copied.catch(() => undefined);
      }
      if (!fatal && !sink.sawHeader) fatal = [{ line: 1, column: null, message: 'the file has no header row' }];
      const contentSha256 = hash.digest('hex');
      if (fatal || sink.errorCount > 0) {
        await client.query('ROLLBACK');
        const errors = fatal ?? sink.errors;
        return { status: 'failed', unchanged: false, rowsAccepted: 0, errors, errorCount: fatal ? fatal.length : sink.errorCount, contentSha256, interrupted };
      }
      if (linkage && sink.mayRepeatKey()) {
        const repeat = await firstRepeatedKey(client, table, linkage.name);
        if (repeat !== null) {
          await client.query('ROLLBACK');
          const error: RowError = { line: sink.lineOfRow(repeat), column: linkage.name, message: 'repeats the linkage key of an earlier row (a person-level dataset has one row per person)' };
          return { status: 'failed', unchanged: false, rowsAccepted: 0, errors: [error], errorCount: 1, contentSha256, interrupted };
        }
      }
      if (request.currentSha256 && request.currentSha256 === contentSha256) {
        await client.query('ROLLBACK');
        return { status: 'succeeded', unchanged: true, rowsAccepted: sink.rowsAccepted, errors: [], errorCount: 0, contentSha256, interrupted };
      }
      // Planner statistics now, while the ingest role still owns the table: computations join
      // and group millions of rows and must not be planned blind (autovacuum may be off, and
      // would come late). pg_stats shows them only to roles that may SELECT the table anyway.
      await client.query(`ANALYZE vault.${quoteIdent(table)}`);
      await client.query('SELECT vault.finalise_version($1)', [table]);
      await client.query('COMMIT');
      return { status: 'succeeded', unchanged: false, rowsAccepted: sink.rowsAccepted, errors: [], errorCount: 0, contentSha256, interrupted };
    } catch (err) {
      clientBroken = true; // closing the connection aborts the transaction server-side
      if (!tap.destroyed) tap.destroy();
      source.unpipe(tap);
      source.resume();
      throw err;
    } finally {
      client.release(clientBroken ? true : undefined);
    }
  }
}
