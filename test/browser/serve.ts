import { writeFileSync } from 'node:fs';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { CadreClient } from '../../scripts/demo/client';
import { COVID_MIN_CELL_SIZE, createAndLoad, foundFederation, signContracts, vote } from '../../scripts/demo/scenario';
import { generateCovidWorld, toCsv } from '../../scripts/demo/synthetic';

/**
 * The platform the browser tests drive: a fresh database and Redis prefix (as every e2e suite
 * gets), API and worker in this process on 127.0.0.1:$PORT, the console served at /console,
 * and a small federation built through the public API as the demo builds it:
 *   - "COVID risk mapping" active (the researcher's map);
 *   - a second use case under review (the committee votes on it);
 *   - a third approved, its contract with the statistics body awaiting that body's signature;
 *   - a dataset of the Region registered but empty (the steward uploads into it);
 *   - a use case whose results the hospital reviews, one result held in the airlock.
 * Writes the fixture (base URL, logins, ids) to $CADRE_BROWSER_FIXTURE, then waits for SIGTERM.
 */
export const OPERATOR = { email: 'operator@cadre.demo', password: 'operator-demo-password' };
const PATIENTS = Number(process.env.CADRE_BROWSER_PATIENTS ?? 40000);

let platform: TestPlatform | undefined;

async function main() {
  const port = Number(process.env.PORT ?? 0);
  const fixturePath = process.env.CADRE_BROWSER_FIXTURE!;
  platform = await startTestPlatform({ env: { CADRE_BOOTSTRAP_ADMIN_EMAIL: OPERATOR.email, CADRE_BOOTSTRAP_ADMIN_PASSWORD: OPERATOR.password } });
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await platform?.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
  await platform.app.listen(port, '127.0.0.1');
  const databaseName = platform.databaseName;
  const base = `http://127.0.0.1:${port}`;
  const say = () => undefined;

  const operator = await new CadreClient(base).login(OPERATOR.email, OPERATOR.password);
  const f = await foundFederation(operator, say);
  const world = generateCovidWorld(20200317, PATIENTS);
  const codes = world.communes.map((c) => c.code);
  const patients = await createAndLoad(f.hospital.users.steward.client, {
    name: 'covid_patients', description: 'Patients COVID-19 du CHU (synthétiques)',
    columns: [
      { name: 'nationalId', type: 'text', role: 'linkage_key' },
      { name: 'commune', type: 'category', role: 'quasi_identifier', categories: codes },
      { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 110 },
      { name: 'covidPositive', type: 'boolean', role: 'sensitive' },
      { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 60 },
    ],
  }, toCsv(['nationalId', 'commune', 'age', 'covidPositive', 'icuDays'], world.patients), say, 'patients');
  const communes = await createAndLoad(f.statistics.users.steward.client, {
    name: 'communes_herault', description: 'Populations INSEE des communes de l’Hérault (donnée ouverte)',
    columns: [
      { name: 'code', type: 'category', role: 'reference_key', categories: codes },
      { name: 'name', type: 'text', role: 'attribute' },
      { name: 'population', type: 'integer', role: 'attribute', min: 0, max: 1_000_000 },
    ],
  }, toCsv(['code', 'name', 'population'], world.communes.map((c) => ({ ...c, name: c.name.replace(/,/g, ' ') }))), say, 'communes');
  const equipment = await f.region.users.steward.client.post<{ id: string }>('/api/v1/datasets', {
    name: 'equipements_sportifs', description: 'Équipements sportifs par commune (Région)',
    columns: [
      { name: 'code', type: 'category', role: 'reference_key', categories: codes },
      { name: 'equipements', type: 'integer', role: 'attribute', min: 0, max: 10_000 },
    ],
  });

  const now = Date.now();
  /** `guests`: researchers of other organisations named on the team, who accept to join it before submission. */
  const useCase = async (client: CadreClient, title: string, purpose: string, requested: object[], team: string[], guests: { id: string; client: CadreClient }[] = []) => {
    const u = await client.post<{ id: string }>('/api/v1/use-cases', {
      title, purpose, publicInterest: 'Prévention ciblée des territoires les plus exposés.', requestedDatasets: requested, teamUserIds: team,
      startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 365 * 86400_000).toISOString(),
    });
    for (const guest of guests) await guest.client.post(`/api/v1/use-cases/${u.id}/team-acceptances`, { userId: guest.id });
    await client.post(`/api/v1/use-cases/${u.id}/submit`);
    return u.id;
  };
  const approve = async (id: string, conditions: object) => {
    for (const c of [f.committee.region, f.committee.ethicist, f.committee.lawyer]) {
      const refused = await vote(c, id, { decision: 'approve', comment: 'Proportionné et d’intérêt public', conditions });
      if (refused) throw refused;
    }
  };

  const startup = f.startup.users.researcher;
  const covid = await useCase(startup.client, 'Cartographie du risque COVID par commune',
    'Cartographier la positivité COVID-19 pour 1 000 habitants par commune afin de cibler la prévention, sans publier de carte stigmatisante.',
    [{ datasetId: patients.id, columns: ['commune', 'age', 'covidPositive', 'icuDays'] }, { datasetId: communes.id, columns: ['code', 'population'] }],
    [startup.id, f.lab.users.researcher.id], [f.lab.users.researcher]);
  await approve(covid, { minCellSize: COVID_MIN_CELL_SIZE, forbiddenGroupBy: [['covid_patients.age', 'covid_patients.commune']] });
  await signContracts(covid, f.startup, [f.hospital, f.statistics], say);

  // Results held for the hospital's review (the airlock): released once its steward publishes them.
  const reviewed = await useCase(startup.client, 'Patients COVID par commune, relus par l’hôpital',
    'Compter les patients COVID-19 par commune, chaque résultat relu par l’hôpital avant publication.',
    [{ datasetId: patients.id, columns: ['commune'] }], [startup.id]);
  await approve(reviewed, { minCellSize: COVID_MIN_CELL_SIZE, releaseMode: 'provider_review' });
  await signContracts(reviewed, f.startup, [f.hospital], say);
  const held = await startup.client.post<{ id: string }>(`/api/v1/use-cases/${reviewed}/computations`, {
    query: { datasets: [{ datasetId: patients.id, as: 'h' }], where: [], groupBy: ['h.commune'], measures: [{ fn: 'count' }], join: [], totals: false, privacy: { mechanism: 'none' } },
  });
  const heldView = await startup.client.get<{ status: string }>(`/api/v1/computations/${held.id}?wait=30`);
  if (heldView.status !== 'pending_release') throw new Error(`the reviewed computation ended ${heldView.status}, not pending_release`);

  const lab = f.lab.users.researcher;
  const review = await useCase(lab.client, 'Séjours en réanimation par tranche d’âge',
    'Mesurer la durée moyenne des séjours en réanimation par tranche d’âge pour dimensionner les lits.',
    [{ datasetId: patients.id, columns: ['age', 'icuDays'] }], [lab.id]);

  const pending = await useCase(lab.client, 'Populations communales de référence',
    'Documenter les dénominateurs de population utilisés par les études du laboratoire.',
    [{ datasetId: communes.id, columns: ['code', 'population'] }], [lab.id]);
  await approve(pending, { minCellSize: 11 });
  // The lab signs; the statistics body's admin signs in the browser.
  const contracts = await f.lab.admin.get<{ items: { id: string }[] }>(`/api/v1/use-cases/${pending}/contracts`);
  for (const c of contracts.items) await f.lab.admin.post(`/api/v1/contracts/${c.id}/signatures`, {});

  // A first released computation, so the lists are not empty.
  const first = await startup.client.post<{ id: string }>(`/api/v1/use-cases/${covid}/computations`, {
    query: { datasets: [{ datasetId: patients.id, as: 'h' }], where: [], groupBy: [{ column: 'h.age', bins: [0, 18, 45, 65, 80, 111] }], measures: [{ fn: 'count' }], join: [], totals: false, privacy: { mechanism: 'none' } },
  });
  await startup.client.get(`/api/v1/computations/${first.id}?wait=30`);

  const fixture = {
    base,
    password: 'demo-password-0123',
    operator: OPERATOR,
    users: {
      committee: 'ethicist@operator.demo', recusedCommittee: 'committee@chu.demo', statisticsAdmin: 'admin@insee.demo', regionSteward: 'steward@region.demo', researcher: 'researcher@startup.demo',
      hospitalSteward: 'steward@chu.demo',
    },
    useCases: { covid, review, pending, reviewed },
    datasets: { patients: patients.id, communes: communes.id, equipment: equipment.id },
    communeCodes: codes,
  };
  writeFileSync(fixturePath, JSON.stringify(fixture));
  console.log(`browser platform ready on ${base} (database ${databaseName})`);
}

main().catch(async (err) => {
  console.error('browser platform failed:', err instanceof Error ? err.stack : err);
  await platform?.close().catch(() => undefined);
  process.exit(1);
});
