/**
 * Whether an error means "the database or Redis was unreachable for a moment" rather than
 * "this request or query is wrong": a lost or refused connection, a server shutting down or
 * starting, too many connections, a deadlock or serialisation failure. Such an operation is
 * retried (jobs) or answered 503 `retry` (HTTP); anything else is the caller's or a bug.
 */
const TRANSIENT_SQLSTATE = /^(08...|57P0[1-3]|53300|40001|40P01)$/;
const TRANSIENT_SYSCALL = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const TRANSIENT_MESSAGE = [
  /Connection terminated/i, // pg: the server closed the connection
  /timeout exceeded when trying to connect/i, // pg pool
  /Client has encountered a connection error/i,
  /Connection is closed/i, // ioredis
  /Reached the max retries per request/i, // ioredis
  /Stream isn't writeable/i, // ioredis, offline queue disabled
  /timed out after \d+ ms/i, // our own withTimeout around Redis calls
];

export function isTransientError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown; driverError?: unknown; sqlState?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.sqlState === 'string' ? e.sqlState : undefined;
  if (code && (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_SYSCALL.has(code))) return true;
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'AggregateError') {
    const errors = (err as { errors?: unknown[] }).errors;
    if (e.name === 'MaxRetriesPerRequestError') return true;
    if (Array.isArray(errors) && errors.length && errors.every((x) => isTransientError(x, depth + 1))) return true;
  }
  if (typeof e.message === 'string' && !code && TRANSIENT_MESSAGE.some((re) => re.test(e.message as string))) return true;
  return isTransientError(e.cause, depth + 1) || isTransientError(e.driverError, depth + 1);
}
