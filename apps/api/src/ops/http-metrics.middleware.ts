import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { httpRequestDuration } from '@cadre/metrics';

/**
 * Times every request and records it by method, route pattern (`/api/v1/computations/:id`,
 * never the concrete path: ids stay out of labels) and status. Unrouted requests count as
 * `unmatched`, so probing random paths cannot grow the label set.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const end = httpRequestDuration.startTimer();
    // While a middleware runs, req.route is the middleware's own catch-all: only a route
    // matched later (a controller's) replaces it.
    const own: unknown = req.route;
    res.once('finish', () => {
      const matched = req.route as { path?: unknown } | undefined;
      const route = matched && matched !== own && typeof matched.path === 'string' ? `${req.baseUrl}${matched.path}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  }
}
