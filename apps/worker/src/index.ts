/**
 * The worker app's public entry: what another app may compose (apps/api's single-node entry runs the
 * API and the worker in one process). Everything else under apps/worker/src is the worker's own.
 */
export { WorkerModule } from './worker.module';
