import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Module, OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { ExpressLoader, ServeStaticModuleOptions } from '@nestjs/serve-static';

/**
 * Where `npm run build` puts the console (Vite's output, dist/console): found from the source
 * tree (ts-node, tests) and from the compiled tree (dist/apps/api/src) alike.
 */
export function consoleRoot(): string | undefined {
  const candidates = [process.env.CADRE_CONSOLE_DIR, resolve(__dirname, '../../../dist/console'), resolve(__dirname, '../../../console')].filter((c): c is string => !!c);
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * Nothing but this origin: no CDN, no tiles, no remote fonts, ever (inline styles are Plot's SVG attributes).
 * The pages are never framed.
 */
const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";
function setHeaders(res: { setHeader(name: string, value: string): void }): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * Serves the built console at /console, same origin as the API, with @nestjs/serve-static's
 * Express loader; nothing when the console was not built. The loader is registered here, at
 * module init, rather than through ServeStaticModule.forRoot: that module picks its loader
 * when its providers are built, which in a testing module is before the HTTP adapter exists
 * (it would then silently serve nothing).
 */
@Module({})
export class ConsoleModule implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly config: ApplicationConfig,
  ) {}

  onModuleInit(): void {
    const rootPath = consoleRoot();
    const adapter = this.host.httpAdapter;
    if (!rootPath || !adapter || adapter.getType() !== 'express') return;
    // No `exclude`: under serveRoot '/console' no API route is shadowed, and with one the loader's
    // error middleware would turn any Express-level error of an excluded path (a body too large,
    // malformed JSON) into a 404.
    const options: ServeStaticModuleOptions = { rootPath, serveRoot: '/console', serveStaticOptions: { index: ['index.html'], fallthrough: true, setHeaders } };
    new ExpressLoader().register(adapter, this.config, [options]);
  }
}
