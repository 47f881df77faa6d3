import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { heraultCommunes } from '../scripts/demo/synthetic';
import { HOUSEHOLD_COLUMNS, householdsCsv, patientsCsv } from './data';
import { apiScenario } from './scenarios/api';
import { ingestScenario } from './scenarios/ingest';
import { linkedAggregateScenario, quiesce } from './scenarios/linked-aggregate';
import { throughputScenario } from './scenarios/throughput';
import { LeanJsonClient } from './http-client';
import { activeUseCase, createAndLoad, federation } from './setup';
import { Measurement } from './stats';
import { launchPlatform, Target } from './target';

export interface BenchOptions {
  persons: number;
  runs: number;
  ingestRuns: number;
  computations: number;
  clients: number;
  apiSeconds: number;
  smallPersons: number;
}

export const FULL: BenchOptions = { persons: 1_000_000, runs: 5, ingestRuns: 3, computations: 1000, clients: 20, apiSeconds: 10, smallPersons: 10_000 };
export const SMOKE: BenchOptions = { persons: 2000, runs: 1, ingestRuns: 1, computations: 10, clients: 2, apiSeconds: 1, smallPersons: 300 };

export const SCENARIOS = ['ingest', 'linked', 'throughput', 'api'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Runs the scenarios (all four by default) against a running platform; each measures the platform and its floor in the same run. */
export async function runBench(target: Target, options: BenchOptions, log: (line: string) => void = console.log, only: readonly ScenarioName[] = SCENARIOS): Promise<Measurement[]> {
  const communes = heraultCommunes().map((c) => c.code);
  const seed = 1;
  const f = await federation(target.baseUrl, target.admin);
  const results: Measurement[] = [];
  const researcher = f.startup.users.researcher;
  const { createReadStream } = await import('node:fs');

  if (only.includes('ingest') || only.includes('linked')) {
    const [patientsFile, householdsFile] = [await patientsCsv(options.persons, seed), await householdsCsv(options.persons, seed)];
    log('ingest…');
    // The linked aggregate alone needs one load of the patients, not the ingest scenario's repeats.
    const ingestRuns = only.includes('ingest') ? options.ingestRuns : 1;
    const uploader = new LeanJsonClient(target.baseUrl, await tokenOf(target.baseUrl, f.hospital.users.steward.email));
    const ingest = await ingestScenario(f.hospital.users.steward.client, uploader, target.ownerUrl, patientsFile, options.persons, communes, ingestRuns, target.cpuMs).finally(() => uploader.close());
    if (only.includes('ingest')) results.push(ingest.measurement);
    if (only.includes('linked')) {
      const households = await createAndLoad(f.social.users.steward.client, { name: 'bench_households', description: 'benchmark', columns: HOUSEHOLD_COLUMNS }, createReadStream(householdsFile), () => undefined, 'households');
      const useCaseId = await activeUseCase(f, f.startup, researcher, [f.hospital, f.social], [
        { datasetId: ingest.datasetId, columns: ['commune', 'icuDays'] },
        { datasetId: households.id, columns: ['incomeBand'] },
      ]);
      log('linked aggregate…');
      results.push(
        await linkedAggregateScenario({
          researcher: researcher.client, useCaseId, patients: ingest.datasetId, households: households.id, ownerUrl: target.ownerUrl,
          files: { patients: patientsFile, households: householdsFile }, persons: options.persons, runs: options.runs, peakMemory: target.peakMemory,
        }),
      );
    }
  }
  if (only.includes('throughput')) {
    const small = await createAndLoad(f.social.users.steward.client, { name: 'bench_small', description: 'benchmark', columns: HOUSEHOLD_COLUMNS }, createReadStream(await householdsCsv(options.smallPersons, seed)), () => undefined, 'small');
    const smallUseCaseId = await activeUseCase(f, f.startup, researcher, [f.social], [{ datasetId: small.id, columns: ['incomeBand'] }]);
    const http = new LeanJsonClient(target.baseUrl, await tokenOf(target.baseUrl, researcher.email));
    const owner = new Client({ connectionString: target.ownerUrl });
    await owner.connect();
    await quiesce(owner).finally(() => owner.end()); // the uploads' quality measurements done first
    try {
      for (const workers of [1, 2]) {
        await target.scaleWorkers(workers);
        log(`throughput, ${workers} worker(s)…`);
        results.push(
          await throughputScenario({ http, useCaseId: smallUseCaseId, datasetId: small.id, persons: options.smallPersons, total: options.computations, clients: options.clients, workers, rounds: options.runs >= 3 ? 3 : 1, cpuMs: target.cpuMs }),
        );
      }
    } finally {
      http.close();
    }
    await target.scaleWorkers(1);
  }
  if (only.includes('api')) {
    log('api…');
    results.push(await apiScenario({ baseUrl: target.baseUrl, token: await tokenOf(target.baseUrl, researcher.email), seconds: options.apiSeconds, connections: 50, rounds: options.runs >= 3 ? 3 : 1 }));
  }
  return results;
}

/** A fresh access token of a demo user (the load generators send it themselves). */
async function tokenOf(baseUrl: string, email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'demo-password-0123' }) });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** The results as Markdown, with the date and the machine. */
export function toMarkdown(results: Measurement[], options: BenchOptions): string {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const out = [
    `# Cadre benchmark — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${machine}. Platform: the API and one worker as two processes (\`start:api\`, \`start:worker\`; a second worker for the two-worker throughput run), PostgreSQL and Redis on the same machine. Sizes: ${JSON.stringify(options)}.`,
    '',
  ];
  for (const r of results) {
    out.push(`## ${r.scenario}`, '', '| measure | value |', '| --- | --- |');
    for (const l of r.lines) out.push(`| ${l.label} | ${l.value} |`);
    if (r.ratio) out.push(`| **${r.ratio.label}** | **${r.ratio.value.toFixed(2)}** (target ${r.ratio.target}: ${r.ratio.met ? 'met' : 'missed'}) |`);
    out.push('');
  }
  return out.join('\n');
}

async function main() {
  const smoke = process.argv.includes('--smoke');
  const flag = (name: string) => {
    const at = process.argv.indexOf(name);
    const value = at > 0 ? Number(process.argv[at + 1]) : NaN;
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  // `--persons 10000000` sizes the linked aggregate and ingest (data generated on the fly
  // under bench/data/, never committed); `--runs N` repeats each timed step N times.
  const options = { ...(smoke ? SMOKE : FULL) };
  options.persons = flag('--persons') ?? options.persons;
  options.runs = flag('--runs') ?? options.runs;
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt > 0 ? (process.argv[onlyAt + 1] ?? '').split(',').filter((n): n is ScenarioName => (SCENARIOS as readonly string[]).includes(n)) : SCENARIOS;
  const target = await launchPlatform(Number(process.env.CADRE_BENCH_PORT ?? 3900));
  try {
    const results = await runBench(target, options, console.log, only);
    const markdown = toMarkdown(results, options);
    console.log('\n' + markdown);
    // A full run, or a scale run (`--only linked --persons N`), is kept under bench/results/.
    const full = only.length === SCENARIOS.length && options.persons === FULL.persons;
    const scale = only.length === 1 && only[0] === 'linked' && options.persons > FULL.persons;
    if (!smoke && (full || scale)) {
      const dir = join(process.cwd(), 'bench', 'results');
      mkdirSync(dir, { recursive: true });
      const suffix = scale ? `-linked-${options.persons / 1_000_000}M` : '';
      const file = join(dir, `${new Date().toISOString().slice(0, 10)}-${cpus().length}cpu${suffix}.md`);
      writeFileSync(file, markdown);
      console.log(`written to ${file}`);
    }
  } finally {
    await target.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error('benchmark failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
