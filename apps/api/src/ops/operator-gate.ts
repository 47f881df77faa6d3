import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AbilityFactory, ActorSource, authorize } from '@cadre/access';
import { AppConfig } from '@cadre/config';

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Who may see the operator's surfaces (/metrics, /admin/queues): a platform admin's access
 * token (the AbilityFactory's `read Operations`), or — for /metrics only — the static
 * scrape token `CADRE_METRICS_TOKEN`. No token: 401; a token of anyone else: 403.
 */
@Injectable()
export class OperatorGate {
  constructor(
    private readonly actors: ActorSource,
    private readonly abilities: AbilityFactory,
    private readonly config: AppConfig,
  ) {}

  async assert(request: RequestLike, options: { scrapeToken?: boolean } = {}): Promise<void> {
    if (options.scrapeToken && this.presentsScrapeToken(request)) return;
    const actor = await this.actors.actorOf(request); // 401 without a valid token
    authorize(this.abilities.createForActor(actor), 'read', 'Operations');
  }

  private presentsScrapeToken(request: RequestLike): boolean {
    const expected = this.config.metricsToken;
    const header = request.headers.authorization;
    if (!expected || typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
    const given = Buffer.from(header.slice('Bearer '.length).trim());
    const wanted = Buffer.from(expected);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }
}
