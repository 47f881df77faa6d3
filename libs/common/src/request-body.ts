import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json } from 'express';
import { problem, Problem, ProblemCode } from './problem.filter';

/** Limits on what a request body may be, before any controller sees it. */
export interface BodyLimits {
  /** Largest JSON body accepted, in bytes (413 above). */
  maxBytes: number;
  /** Deepest nesting of arrays and objects accepted (400 above), checked on the raw text before parsing. */
  maxDepth: number;
}

export const DEFAULT_MAX_JSON_DEPTH = 32;

/** Body media types a route may take besides JSON; their routes stream and check them themselves. */
const STREAMED_TYPES = ['text/csv'];
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

class BodyRefused extends Error {
  constructor(readonly status: number, readonly code: ProblemCode, readonly detail: string, readonly errors?: Problem['errors']) {
    super(detail);
  }
}

/**
 * Deepest nesting of `[` and `{` in a JSON text, outside strings. Stops (returning a value
 * above `limit`) as soon as `limit` is passed, so a hostile body is never walked whole.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * The path of the first string (key or value) holding a character PostgreSQL refuses in
 * text (U+0000), or undefined. The body's depth is already bounded when this runs.
 */
export function findNulCharacter(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(body)' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNulCharacter(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const field = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return path || '(body)';
      const found = findNulCharacter(v, field);
      if (found) return found;
    }
  }
  return undefined;
}

/** Maps a body-parser (http-errors) failure to a problem: its own 4xx status, a fixed detail that echoes nothing. */
function parserProblem(err: unknown, limits: BodyLimits): Problem {
  if (err instanceof BodyRefused) return problem(err.status, err.code, err.detail, err.errors);
  const e = err as { status?: number; statusCode?: number; type?: string };
  const status = e?.status ?? e?.statusCode;
  switch (e?.type) {
    case 'entity.too.large':
      return problem(413, 'payload_too_large', `The request body is larger than the limit of ${limits.maxBytes} bytes`);
    case 'charset.unsupported':
      return problem(415, 'unsupported_media_type', 'A JSON body must be UTF-8 encoded (charset utf-8)');
    case 'encoding.unsupported':
      return problem(415, 'unsupported_media_type', 'Unsupported content encoding (use identity, gzip or deflate)');
    case 'entity.parse.failed':
      return problem(400, 'invalid_input', 'The request body is not valid JSON');
    case 'request.aborted':
    case 'request.size.invalid':
      return problem(400, 'invalid_input', 'The request body was incomplete');
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return problem(status, 'invalid_input', 'The request body was refused');
  return problem(400, 'invalid_input', 'The request body could not be read');
}

function send(res: Response, body: Problem): void {
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The request-body gate, installed before every route: a write with a body must be JSON in
 * UTF-8 (or a streamed type its route checks, such as `text/csv` uploads), within `maxBytes`
 * and `maxDepth`, and without a NUL character in any string. Every refusal is problem+json,
 * decided before any controller, validation or SQL runs.
 */
export function requestBodyGate(limits: BodyLimits): RequestHandler[] {
  const parse = json({
    limit: limits.maxBytes,
    type: ['application/json', 'application/*+json'],
    verify: (_req, _res, buf, encoding) => {
      const text = !encoding || encoding === 'utf-8' || encoding === 'utf8' ? buf.toString('utf8') : new TextDecoder(encoding).decode(buf);
      if (jsonDepthExceeds(text, limits.maxDepth)) {
        throw new BodyRefused(400, 'invalid_input', `The request body is nested deeper than ${limits.maxDepth} levels`);
      }
    },
  });

  const mediaType: RequestHandler = (req, res, next) => {
    if (!WRITE_METHODS.has(req.method) || !hasBody(req)) return next();
    const type = req.headers['content-type'];
    if (!type) return send(res, problem(415, 'unsupported_media_type', 'A request body needs a content-type: application/json'));
    if (req.is(['application/json', 'application/*+json'])) return next();
    if (req.is(STREAMED_TYPES)) return next(); // the route streams it and checks it (e.g. dataset uploads)
    send(res, problem(415, 'unsupported_media_type', 'Unsupported content-type: send application/json'));
  };

  // Named like Nest's own parser so that Nest does not install a second one.
  const jsonParser: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => {
      if (err) return send(res, parserProblem(err, limits));
      const field = findNulCharacter(req.body);
      if (field) {
        return send(res, problem(400, 'invalid_input', `Invalid input: ${field}`, [{ field, message: `${field} must not contain a NUL character` }]));
      }
      next();
    });
  };

  const queryNul: RequestHandler = (req, res, next) => {
    const field = req.url.includes('%00') || req.url.includes('\u0000') ? 'query' : undefined;
    if (field) return send(res, problem(400, 'invalid_input', 'Invalid input: the URL must not contain a NUL character', [{ field, message: 'must not contain a NUL character' }]));
    next();
  };

  return [queryNul, mediaType, jsonParser];
}
