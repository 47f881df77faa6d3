import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { BlockResult, BlockTask } from './row-block';

/**
 * Parsing, checking and pseudonymising (csv-parse and one HMAC a row) are the ingestion's
 * CPU cost; PostgreSQL's COPY is the rest. Two workers on a two-core machine keep both cores
 * busy alongside the thread feeding COPY; more cores, more workers (up to four: COPY then
 * becomes the limit).
 */
export const ROW_WORKERS = Math.max(1, Math.min(4, availableParallelism()));

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: BlockResult) => void; reject: (e: Error) => void }>;
}

/**
 * A small pool of row workers shared by every upload of this process, started on first use.
 * Blocks travel to a worker and back as transferred buffers, inside this process: a raw
 * value never goes to a file, a queue or a log. A worker that dies fails its blocks (the
 * uploads roll back) and is replaced on the next use.
 */
@Injectable()
export class RowWorkerPool implements OnModuleDestroy {
  private slots: (Slot | null)[] = Array.from({ length: ROW_WORKERS }, () => null);
  private nextId = 1;

  get size(): number {
    return this.slots.length;
  }

  /** Runs one block on the least busy worker. */
  run(task: BlockTask): Promise<BlockResult> {
    let chosen = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const load = this.slots[i]?.pending.size ?? 0;
      if (load < (this.slots[chosen]?.pending.size ?? 0)) chosen = i;
    }
    const slot = (this.slots[chosen] ??= this.start(chosen));
    const id = this.nextId++;
    return new Promise<BlockResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, task }, [task.bytes.buffer as ArrayBuffer]);
    });
  }

  async onModuleDestroy(): Promise<void> {
    const running = this.slots.filter((s): s is Slot => s !== null);
    this.slots = this.slots.map(() => null);
    await Promise.all(running.map((s) => s.worker.terminate()));
  }

  private start(index: number): Slot {
    // Under ts-jest or ts-node the sources are TypeScript: the worker registers ts-node too.
    const file = join(__dirname, `row-worker${extname(__filename)}`);
    const worker = new Worker(file, { execArgv: file.endsWith('.ts') ? ['--require', 'ts-node/register/transpile-only'] : [] });
    worker.unref(); // an idle pool never keeps the process alive
    const slot: Slot = { worker, pending: new Map() };
    const fail = () => {
      if (this.slots[index] === slot) this.slots[index] = null;
      for (const p of slot.pending.values()) p.reject(new Error('row worker stopped'));
      slot.pending.clear();
    };
    worker.on('message', (message: { id: number; result?: BlockResult; failed?: true }) => {
      const p = slot.pending.get(message.id);
      if (!p) return;
      slot.pending.delete(message.id);
      if (message.result) p.resolve(message.result);
      else p.reject(new Error('row worker failed on a block'));
    });
    worker.on('error', fail); // the error itself is not passed on: it might quote data
    worker.on('exit', fail);
    return slot;
  }
}
