import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@cadre/config';
import { announceSettled, setHearing, SETTLED_CHANNEL } from './computation-events';

const RECONNECT_MS = 1000;

/**
 * The API's ear on PostgreSQL: the transaction that takes a computation out of the queue
 * NOTIFYs its id (notifySettled), delivered at its commit, so a long poll in another process
 * wakes at once instead of at its next re-read.
 * Losing the connection only slows long polls down to their re-read period.
 */
@Injectable()
export class SettledListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SettledListener');
  private client?: Client;
  private closing = false;
  private retry?: NodeJS.Timeout;
  /** This listener's LISTEN is in place (counted once in setHearing). */
  private hearing = false;

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closing) return;
    const client = new Client({ connectionString: this.config.databaseUrl('app'), application_name: 'cadre-settled-listener' });
    client.on('notification', (msg) => msg.payload && announceSettled(msg.payload));
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${SETTLED_CHANNEL}`);
      this.client = client;
      this.hear(true);
    } catch (err) {
      this.logger.warn({ err: { name: (err as Error).name, code: (err as { code?: string }).code } }, 'cannot listen for settled computations; long polls re-read');
      this.reconnect(client);
    }
  }

  private hear(on: boolean): void {
    if (this.hearing === on) return;
    this.hearing = on;
    setHearing(on);
  }

  private reconnect(client: Client): void {
    void client.end().catch(() => undefined);
    if (this.client === client) {
      this.client = undefined;
      this.hear(false);
    }
    if (this.closing || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, RECONNECT_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.hear(false);
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}
