import { parentPort } from 'node:worker_threads';
import { BlockTask, processBlock } from './row-block';

/**
 * A row worker (node:worker_threads): blocks in, checked COPY text out, in the order they
 * came. A failure answers `failed` with no message: a parser's or a check's message could
 * quote the data, and nothing of it may leave the COPY stream.
 */
parentPort?.on('message', (message: { id: number; task: BlockTask }) => {
  try {
    const result = processBlock(message.task);
    const transfer: ArrayBuffer[] = [result.copy.buffer as ArrayBuffer];
    if (result.lines) transfer.push(result.lines.buffer as ArrayBuffer);
    if (result.fingerprints) transfer.push(result.fingerprints.buffer as ArrayBuffer);
    parentPort?.postMessage({ id: message.id, result }, transfer);
  } catch {
    parentPort?.postMessage({ id: message.id, failed: true });
  }
});
