import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { register } from 'prom-client';
import { AppConfig } from '@cadre/config';

/**
 * A worker process's own metrics (job durations and outcomes it recorded, process metrics):
 * GET /metrics on `CADRE_WORKER_METRICS_PORT`, bound to `CADRE_WORKER_METRICS_HOST`
 * (loopback by default: a separate bind address, not the public API). When
 * `CADRE_METRICS_TOKEN` is set, the scraper must present it as a bearer token.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WorkerMetrics');
  private server?: Server;

  constructor(private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    const bind = this.config.workerMetrics;
    if (!bind) return;
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      if (!this.authorised(req.headers.authorization)) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorised\n');
        return;
      }
      register.metrics().then(
        (text) => res.writeHead(200, { 'content-type': register.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(bind.port, bind.host, () => resolve()));
    this.server = server;
    this.logger.log({ host: bind.host, port: this.port() }, 'worker metrics listening');
  }

  /** The bound port (useful with CADRE_WORKER_METRICS_PORT=0). */
  port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  private authorised(header: string | undefined): boolean {
    const token = this.config.metricsToken;
    if (!token) return true;
    const given = Buffer.from(typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '');
    const wanted = Buffer.from(token);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Imported by the worker process only (`npm run start:worker`): the API serves its own /metrics. */
@Module({ providers: [WorkerMetricsServer], exports: [WorkerMetricsServer] })
export class WorkerMetricsModule {}
