import { compactVerify, createLocalJWKSet } from 'jose';
import { Client } from 'pg';
import { AppConfig } from '@cadre/config';
import { startSingleNode } from '../../apps/api/src/single-node';
import { CadreClient } from './client';
import { ComputationView, foundFederation, POSITIVITY_RATE, runCovidScenario, runProcurementScenario } from './scenario';
import { generateCovidWorld, generateProcurementWorld } from './synthetic';

/**
 * `npm run demo`: the founding use case of Cadre, live. Boots API and worker in this
 * process on a fresh `cadre_demo` database, then acts as the members would — through
 * the public HTTP API only — and leaves the API running (`--exit` to stop instead).
 */
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const PATIENTS = Number(flag('patients', '200000'));
const SEED = Number(flag('seed', '20200317'));
const EXIT = args.includes('--exit');

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (line: string) => console.log(line.startsWith(' ') ? line : `\n${bold('▶ ' + line)}`);

async function freshDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^cadre_demo\w*$/.test(name)) throw new Error(`the demo only resets a database named cadre_demo*, not ${name}`);
  target.pathname = '/postgres';
  const admin = new Client({ connectionString: target.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

function printTable(view: ComputationView, limit: number, format: (row: Record<string, unknown>) => string): void {
  if (!view.result) {
    console.log(`  → ${view.status}${view.rejection ? `: ${view.rejection.code} — ${view.rejection.detail}` : ''}`);
    return;
  }
  const { rows, disclosure } = view.result;
  for (const row of rows.slice(0, limit)) console.log(`  ${row.suppressed ? `■ suppressed (${row.reason})`.padEnd(32) : format(row).padEnd(32)} ${view.result.columns.filter((c) => !/^(count|sum|mean|rate)/.test(c)).map((c) => String(row[c])).join(' × ')}`);
  if (rows.length > limit) console.log(`  … ${rows.length - limit} more cells`);
  const perturbation = disclosure.perturbation ? `cell key perturbation (D=${disclosure.perturbation.maxDeviation}, V=${disclosure.perturbation.variance})` : 'no perturbation';
  console.log(`  disclosure control: min cell size ${disclosure.minCellSize}, ${disclosure.primarySuppressed} cells suppressed, ${disclosure.secondarySuppressed} secondary, rounding ${disclosure.rounding || 'none'}, ${perturbation}`);
}

async function main() {
  const env = {
    DATABASE_URL: 'postgres://localhost:5432/cadre_demo',
    CADRE_BOOTSTRAP_ADMIN_EMAIL: 'operator@cadre.demo',
    CADRE_BOOTSTRAP_ADMIN_PASSWORD: 'operator-demo-password',
    LOG_LEVEL: 'warn',
    ...process.env,
  };
  const config = AppConfig.fromEnv(env);
  const admin = config.bootstrapAdmin!;
  say(`Cadre demo — ${PATIENTS.toLocaleString('en')} synthetic patients over the 341 communes of Hérault (seed ${SEED})`);
  await freshDatabase(config.databaseUrl('owner'));
  const app = await startSingleNode(config);
  const base = `http://127.0.0.1:${config.port}`;
  console.log(`  API and worker started on ${base} (database ${new URL(config.databaseUrl('owner')).pathname.slice(1)}, fresh)`);

  try {
    const operator = await new CadreClient(base).login(admin.email, admin.password);
    const federation = await foundFederation(operator, say);
    const covid = generateCovidWorld(SEED, PATIENTS);
    const outcome = await runCovidScenario(federation, covid, say);

    say('Released: COVID-positive patients per 1,000 inhabitants, by commune (most exposed first; counts and rates perturbed by the cell key method)');
    const population = new Map(covid.communes.map((c) => [c.code, c]));
    if (outcome.positivity.result) {
      const rows = outcome.positivity.result.rows;
      const published = rows.filter((r) => !r.suppressed).sort((a, b) => Number(b[POSITIVITY_RATE]) - Number(a[POSITIVITY_RATE]));
      printTable({ ...outcome.positivity, result: { ...outcome.positivity.result, rows: [...published, ...rows.filter((r) => r.suppressed)] } }, 12, (r) => {
        const c = population.get(String(r['h.commune']))!;
        return `${Number(r[POSITIVITY_RATE]).toFixed(2)} ‰ (${r.count}) ${c.name}`;
      });
    } else printTable(outcome.positivity, 0, () => '');

    say('Released: mean ICU days of positive patients by age band, with margins');
    printTable(outcome.icu, 10, (r) => `mean ${r['mean(h.icuDays)']} d (n=${r.count})`);
    say('Attack 1 (isolate a person): every row of the declared domain (COVID status × ICU-day bins), whatever the data hold');
    printTable(outcome.isolation, 4, (r) => `count ${r.count}`);
    const isolationRows = outcome.isolation.result?.rows ?? [];
    console.log(
      isolationRows.length && isolationRows.every((r) => r.suppressed)
        ? `  → all ${isolationRows.length} rows suppressed alike: the labels are the declared domain, not the person's values`
        : `  → ${outcome.isolation.status}: inspect the rows above — a published row here would be a leak`,
    );
    say('Attack 2 (forbidden crossing):');
    console.log(`  → ${outcome.forbiddenCross ? `${outcome.forbiddenCross.status} ${outcome.forbiddenCross.body.code}: ${outcome.forbiddenCross.body.detail}` : 'accepted (unexpected!)'}`);
    say('Attack 3 (differencing):');
    printTable(outcome.differencing, 3, (r) => `count ${r.count}`);

    const researcher = federation.startup.users.researcher.client;
    const budget = await researcher.get<Record<string, unknown>>(`/api/v1/use-cases/${outcome.useCaseId}/budget`);
    say(`Budget of the use case: ${JSON.stringify(budget)}`);

    const jwks = await new CadreClient(base).get<{ keys: object[] }>('/.well-known/jwks.json');
    if (outcome.positivity.result?.signature) {
      const verified = await compactVerify(outcome.positivity.result.signature, createLocalJWKSet(jwks as never)).then(() => true, () => false);
      say(`Result signature verified offline with the JWKS alone: ${verified ? 'valid' : 'INVALID'}`);
    }

    say('Second scenario: share of public procurement won by local SMEs');
    const procurement = await runProcurementScenario(federation, generateProcurementWorld(SEED), say);
    printTable(procurement.shares, 18, (r) => `${Number(r['sum(p.amount)']).toLocaleString('en')} € (${r.count} suppliers)`);
    const rows = procurement.shares.result?.rows ?? [];
    const localSme = rows.find((r) => r['r.sizeBand'] === 'sme' && r['r.departement'] === '34' && !r.suppressed);
    const publishedTotal = rows.filter((r) => !r.suppressed).reduce((a, r) => a + Number(r['sum(p.amount)']), 0);
    if (localSme) console.log(`  local SMEs won ${((Number(localSme['sum(p.amount)']) / publishedTotal) * 100).toFixed(1)} % of the published contract value`);
    say('Contract value by year × supplier size: a supplier counts in every year it won a contract in, once in each margin');
    printTable(procurement.byYear, 40, (r) =>
      `${Number(r['sum(p.amount)']).toLocaleString('en')} € (${r.count} suppliers; mean ${Number(r['mean(p.amount)']).toLocaleString('en')} € per supplier, ${Number(r['meanPerRow(p.amount)']).toLocaleString('en')} € per contract)`,
    );

    const audit = await operator.get<{ valid: boolean; events: number; headHash: string }>('/api/v1/audit/verification');
    say(`Audit chain: ${audit.valid ? 'valid' : 'BROKEN'}, ${audit.events} events, head ${audit.headHash.slice(0, 16)}…`);
  } catch (err) {
    console.error('\ndemo failed:', err instanceof Error ? err.message : err);
    await app.close();
    process.exit(1);
  }

  if (EXIT) {
    await app.close();
    return;
  }
  say(`The console is up at ${base}/console/ (French; English in the header). One login per role:`);
  const logins: [string, string, string][] = [
    ['operator (platform admin)', admin.email, admin.password],
    ['ethics committee member', 'ethicist@operator.demo', 'demo-password-0123'],
    ['ethics committee member, recused on COVID (hospital)', 'committee@chu.demo', 'demo-password-0123'],
    ['organisation admin (hospital)', 'admin@chu.demo', 'demo-password-0123'],
    ['data steward (hospital)', 'steward@chu.demo', 'demo-password-0123'],
    ['researcher (start-up, COVID map)', 'researcher@startup.demo', 'demo-password-0123'],
  ];
  for (const [role, email, password] of logins) console.log(`  ${role.padEnd(54)} ${email.padEnd(26)} ${password}`);
  say(`The API stays up: Swagger UI at ${base}/docs. Ctrl-C to stop.`);
}

void main();
