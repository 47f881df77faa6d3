import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import { LoggerModule, Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from '@cadre/config';

/** Paths pino removes from every log line: credentials and anything that could carry a value. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  '*.jws',
  'password',
  'accessToken',
  'refreshToken',
];

const QUIET_PATHS = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

/** Structured logs with a request id; bodies are never logged. */
export function loggingModule(stream?: Writable) {
  return LoggerModule.forRootAsync({
    inject: [AppConfig],
    useFactory: (config: AppConfig): Params => {
      const options: Options = {
        level: config.logLevel,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        genReqId: (req: IncomingMessage) => {
          const given = req.headers['x-request-id'];
          return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
        },
        // Query strings can hold filters: log the path only.
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        },
        // Probes and scrapes every few seconds would drown the request log.
        autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
      };
      return { pinoHttp: stream ? [options, stream as unknown as DestinationStream] : options };
    },
  });
}
