import { JOBS, JobDefinition, JobName } from './jobs';
import type { Handler } from './job-handler.decorator';

/** A provider found with @JobHandler metadata. */
export interface DiscoveredHandler {
  jobName: string;
  /** Class name, for the boot error. */
  owner: string;
  instance: unknown;
}

/** The worker refuses to start: the message lists every problem (names only). */
export class JobHandlersInvalid extends Error {
  constructor(readonly problems: string[]) {
    super(`worker cannot start: ${problems.join('; ')}`);
    this.name = 'JobHandlersInvalid';
  }
}

/**
 * Matches discovered handlers to declared jobs: every job marked 'required' has exactly
 * one handler, no job has two, and no handler names an undeclared job. Throws otherwise.
 */
export function resolveHandlers(
  discovered: DiscoveredHandler[],
  jobs: Readonly<Record<string, Pick<JobDefinition, 'handler'>>> = JOBS,
): Map<JobName, Handler<JobName>> {
  const problems: string[] = [];
  const byJob = new Map<string, DiscoveredHandler[]>();
  for (const found of discovered) {
    if (!Object.prototype.hasOwnProperty.call(jobs, found.jobName)) {
      problems.push(`${found.owner} handles '${found.jobName}', which is not declared in jobs.ts`);
      continue;
    }
    if (typeof (found.instance as Partial<Handler<JobName>> | undefined)?.handle !== 'function') {
      problems.push(`${found.owner} has no handle() method (or is not a singleton provider)`);
      continue;
    }
    byJob.set(found.jobName, [...(byJob.get(found.jobName) ?? []), found]);
  }
  for (const [name, def] of Object.entries(jobs)) {
    const handlers = byJob.get(name) ?? [];
    if (handlers.length > 1) problems.push(`'${name}' has ${handlers.length} handlers (${handlers.map((h) => h.owner).join(', ')})`);
    if (handlers.length === 0 && def.handler === 'required') problems.push(`'${name}' is declared as requiring a handler and has none`);
  }
  if (problems.length) throw new JobHandlersInvalid(problems);
  return new Map([...byJob].map(([name, [one]]) => [name as JobName, one.instance as Handler<JobName>]));
}
