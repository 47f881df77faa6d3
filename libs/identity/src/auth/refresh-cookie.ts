import type { Request, Response } from 'express';
import { Forbidden, Unauthenticated } from '@cadre/common';

/**
 * The console's session: its refresh token lives in an httpOnly, SameSite=Strict cookie
 * scoped to the auth routes, so page scripts never see it; the access token stays in memory.
 *
 * A client opts in with the header `X-Cadre-Session: cookie` on `auth/token` (the answer then
 * carries no refresh token in its body). `auth/refresh` and `auth/logout` read the cookie only
 * when that header is present: a cross-site page cannot send a custom header without a CORS
 * preflight, which Cadre never grants, and SameSite=Strict keeps the cookie off cross-site
 * requests anyway. A request that carries an `Origin` other than its own host is refused (403).
 */
export const SESSION_HEADER = 'x-cadre-session';
export const REFRESH_COOKIE = 'cadre_refresh';
const COOKIE_PATH = '/api/v1/auth';
const COOKIE_MAX_AGE_S = 30 * 24 * 3600;

export function wantsCookieSession(req: Request): boolean {
  return String(req.headers[SESSION_HEADER] ?? '').toLowerCase() === 'cookie';
}

/** Refuses a cookie-authenticated state change that a browser sent from another origin. */
export function assertSameOrigin(req: Request): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new Forbidden('Cross-site request refused', 'csrf_refused');
  }
  if (host !== req.headers.host) throw new Forbidden('Cross-site request refused', 'csrf_refused');
}

export function readRefreshCookie(req: Request): string {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === REFRESH_COOKIE) {
      const value = decodeURIComponent(part.slice(eq + 1).trim());
      if (value) return value;
    }
  }
  throw new Unauthenticated('No session cookie', 'invalid_refresh_token');
}

export function setRefreshCookie(req: Request, res: Response, token: string): void {
  res.cookie(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: COOKIE_PATH, maxAge: COOKIE_MAX_AGE_S * 1000 });
}

export function clearRefreshCookie(req: Request, res: Response): void {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: COOKIE_PATH });
}
