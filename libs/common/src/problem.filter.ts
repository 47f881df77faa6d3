import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, DomainErrorKind, ErrorCode } from './domain-error';
import { isTransientError } from './transient';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  policy: 422,
  unavailable: 503,
};

/**
 * Codes of refusals the HTTP layer itself answers (framework, body parser, database input), beside
 * ERROR_CODES: with them, the closed list of every `code` a problem may carry (docs/api.md).
 */
export const HTTP_PROBLEM_CODES = ['method_not_allowed', 'conflict', 'payload_too_large', 'unsupported_media_type', 'policy_violation', 'rate_limited', 'unavailable', 'http_error', 'internal_error'] as const;

/** Any code a problem carries: a DomainError's or the HTTP layer's. */
export type ProblemCode = ErrorCode | (typeof HTTP_PROBLEM_CODES)[number];

const CODE_BY_STATUS: Record<number, ProblemCode> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'policy_violation',
  429: 'rate_limited',
  503: 'unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: { field: string; message: string }[];
}

/** Builds the RFC 9457 body for a status and a stable code. */
export function problem(status: number, code: ProblemCode, detail: string, errors?: Problem['errors']): Problem {
  const title = (HttpStatus[status] ?? 'Error')
    .toString()
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());
  return { type: `urn:cadre:problem:${code}`, title, status, detail, code, ...(errors ? { errors } : {}) };
}

/** The status of an error that carries one (http-errors, body-parser), if any. */
function httpStatusOf(exception: unknown): number | undefined {
  const e = exception as { status?: unknown; statusCode?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  return status !== undefined && Number.isInteger(status) ? status : undefined;
}

/**
 * A database error the input caused (a value PostgreSQL refuses, a missing value, a broken
 * constraint) is the client's 4xx, never a 500. The driver's message is never repeated (it
 * can quote a value); only the column name, which is schema, is named.
 */
function databaseInputProblem(sqlState: string, err: { column?: unknown }): Problem | undefined {
  const column = typeof err.column === 'string' && /^[a-z_][a-z0-9_]*$/i.test(err.column) ? err.column : undefined;
  const errors = column ? [{ field: column, message: `${column} has a value the platform cannot store` }] : undefined;
  // Class 22: data exception (bad text representation, out of range, NUL in text, too long…).
  if (sqlState.startsWith('22')) return problem(400, 'invalid_input', `Invalid input${column ? `: ${column}` : ''}: a value has the wrong form or is out of range`, errors);
  if (sqlState === '23502') return problem(400, 'invalid_input', `Invalid input${column ? `: ${column}` : ''}: a required value is missing`, errors);
  if (sqlState === '23514' || sqlState === '23P01') return problem(400, 'invalid_input', 'Invalid input: a value breaks a rule of the platform', errors);
  if (sqlState === '23503') return problem(400, 'invalid_input', 'Invalid input: a referenced record does not exist');
  if (sqlState === '23505') return problem(409, 'conflict', 'A record with the same identity exists already');
  // Class 42 from user input would mean SQL built from input, which the platform never does: left a 500.
  return undefined;
}

/** Maps a thrown value to a problem. Unknown errors become an opaque 500: their messages may carry data. */
export function toProblem(exception: unknown): Problem {
  if (exception instanceof DomainError) {
    const status = STATUS_BY_KIND[exception.kind];
    if (!status) throw new Error(`unmapped domain error kind ${exception.kind} (${exception.code})`);
    return problem(status, exception.code, exception.detail, exception.errors);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    // Framework messages (route not found, body too large, malformed JSON) carry no vault data.
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    const detail = Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
    return problem(status, CODE_BY_STATUS[status] ?? 'http_error', detail);
  }
  // Any other HTTP error (body parser, http-errors, a library's own) keeps its 4xx status.
  const status = httpStatusOf(exception);
  if (status !== undefined && status >= 400 && status < 500) {
    return problem(status, CODE_BY_STATUS[status] ?? 'http_error', HttpStatus[status] ? `The request was refused (${status})` : 'The request was refused');
  }
  const sqlState = (exception as { code?: unknown } | null)?.code;
  if (sqlState === '40P01' || sqlState === '40001') {
    // A deadlock or serialisation failure rolled the whole transaction back: safe to retry.
    return problem(503, 'retry', 'A concurrent change got in the way; nothing was written. Retry the request.');
  }
  if (typeof sqlState === 'string') {
    const input = databaseInputProblem(sqlState, exception as { column?: unknown });
    if (input) return input;
  }
  // The database or Redis was unreachable for a moment (connection lost, server restarting).
  if (isTransientError(exception)) return problem(503, 'retry', 'A service the platform needs is unavailable for a moment; retry the request.');
  return problem(500, 'internal_error', 'An internal error occurred');
}

/** The one global filter: every error leaves the API as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = toProblem(exception);
    if (body.status >= 500) {
      // Never log the message of an unknown error: a driver message can quote a value.
      const err = exception as { name?: string; code?: string; constraint?: string; stack?: string };
      this.logger.error({ err: { name: err?.name, code: err?.code, constraint: err?.constraint } }, 'unhandled error');
    }
    const res = host.switchToHttp().getResponse<Response>();
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
