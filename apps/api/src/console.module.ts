import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';

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

/** Serves the built console at /console, same origin as the API; nothing when it was not built. */
@Module({})
export class ConsoleModule {
  static register(): DynamicModule {
    const rootPath = consoleRoot();
    if (!rootPath) return { module: ConsoleModule };
    return {
      module: ConsoleModule,
      imports: [ServeStaticModule.forRoot({ rootPath, serveRoot: '/console', exclude: ['/api/{*splat}'], serveStaticOptions: { index: ['index.html'], fallthrough: true, setHeaders } })],
    };
  }
}
