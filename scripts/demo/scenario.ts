import { ApiProblem, CadreClient } from './client';
import { admitMember, appointToCommittee, awaitComputation, awaitUpload, Member } from './members';
import { CONTRACT_YEARS, CovidWorld, INCOME_BANDS, ProcurementWorld, DEPARTEMENTS, SIZE_BANDS, toCsv } from './synthetic';

export type Say = (line: string) => void;

export interface ResultRow extends Record<string, unknown> {
  suppressed: boolean;
  reason?: string;
}
export interface ComputationView {
  id: string;
  status: string;
  result?: {
    columns: string[];
    rows: ResultRow[];
    disclosure: {
      minCellSize: number;
      primarySuppressed: number;
      secondarySuppressed: number;
      rounding: number;
      perturbation: { method: 'cell_key'; maxDeviation: number; variance: number } | null;
    };
    datasetVersions?: { datasetId: string; version: number }[];
    privacy: { mechanism: string; epsilonSpent: number };
    signature: string;
  };
  rejection?: { code: string; detail: string };
}

/** The headline map's measure: COVID-positive patients per 1,000 inhabitants of the commune (INSEE population). */
export const POSITIVITY_RATE = 'rate(count/ref.population*1000)';
/** The isolation attack's fine group-by: COVID status × one-day bins of ICU days (the last bin open to the maximum). */
export const ISOLATION_ICU_BINS = [...Array.from({ length: 15 }, (_, i) => i), 61];

/** The ethics committee's condition in the founding use case: cells of at least 15 persons. */
export const COVID_MIN_CELL_SIZE = 15;

export interface Federation {
  operator: CadreClient;
  hospital: Member;
  social: Member;
  statistics: Member;
  lab: Member;
  startup: Member;
  region: Member;
  /** Committee clients: [hospital's member, region's member, operator's ethicist, operator's lawyer]. */
  committee: { hospital: CadreClient; region: CadreClient; ethicist: CadreClient; lawyer: CadreClient };
}

/** The operator publishes the charter, admits six members in the five colleges and names a committee. */
export async function foundFederation(operator: CadreClient, say: Say): Promise<Federation> {
  say('The operator publishes the charter of the cadre de confiance');
  const charter = await operator.post<{ id: string }>('/api/v1/charters', {
    version: '1.0',
    title: 'Charte éthique Cadre',
    principles: [
      { code: 'P1', title: 'Public interest', text: 'Data are used only for use cases of public interest approved by the ethics committee.' },
      { code: 'P2', title: 'No re-identification', text: 'No member tries to re-identify a person; only aggregated, disclosure-checked results leave the platform.' },
      { code: 'P3', title: 'Transparency', text: 'Approved use cases are published in a public register.' },
    ],
  });
  await operator.post(`/api/v1/charters/${charter.id}/publish`);

  say('The operator admits members in the five colleges; each adheres to the charter (a signed act)');
  const me = await operator.get<{ organisationId: string }>('/api/v1/me');
  const hospital = await admitMember(operator, {
    name: 'CHU de Montpellier', college: 'health', slug: 'chu', users: [
      { key: 'steward', roles: ['data_steward'], displayName: 'Hospital data steward' },
      { key: 'committee', roles: ['researcher'], displayName: 'Dr. Hospital, committee member' },
    ],
  });
  const social = await admitMember(operator, {
    name: "Caisse d'allocations familiales de l'Hérault", college: 'public_institutions', slug: 'caf', users: [
      { key: 'steward', roles: ['data_steward'], displayName: 'Social body data steward' },
    ],
  });
  const statistics = await admitMember(operator, {
    name: 'INSEE Occitanie', college: 'public_institutions', slug: 'insee', users: [
      { key: 'steward', roles: ['data_steward'], displayName: 'Statistics body data steward' },
    ],
  });
  const lab = await admitMember(operator, {
    name: "Laboratoire d'épidémiologie, Université de Montpellier", college: 'academia', slug: 'lab', users: [
      { key: 'researcher', roles: ['researcher'], displayName: 'Lab researcher' },
    ],
  });
  const startup = await admitMember(operator, {
    name: 'SantéCarto (health-data start-up)', college: 'private_sector', slug: 'startup', users: [
      { key: 'researcher', roles: ['researcher'], displayName: 'Start-up data scientist' },
    ],
  });
  const region = await admitMember(operator, {
    name: 'Région Occitanie', college: 'local_authorities', slug: 'region', users: [
      { key: 'steward', roles: ['data_steward'], displayName: 'Region data steward' },
      { key: 'committee', roles: ['researcher'], displayName: 'Region committee member' },
    ],
  });

  say('The operator names an ethics committee drawn from several organisations');
  const operatorUser = async (key: string, displayName: string) =>
    operator.post<{ id: string }>(`/api/v1/organisations/${me.organisationId}/users`, { email: `${key}@operator.demo`, password: 'demo-password-0123', displayName, roles: ['researcher'] })
      .then((u) => ({ id: u.id, email: `${key}@operator.demo` }));
  const committee = {
    hospital: await appointToCommittee(operator, hospital.users.committee),
    region: await appointToCommittee(operator, region.users.committee),
    ethicist: await appointToCommittee(operator, await operatorUser('ethicist', 'Independent ethicist')),
    lawyer: await appointToCommittee(operator, await operatorUser('lawyer', 'Data-protection lawyer')),
  };
  return { operator, hospital, social, statistics, lab, startup, region, committee };
}

interface DatasetView {
  id: string;
  rowCount: number;
}

export async function createAndLoad(steward: CadreClient, definition: object, csv: Parameters<CadreClient['upload']>[1], say: Say, label: string): Promise<DatasetView> {
  const dataset = await steward.post<DatasetView>('/api/v1/datasets', definition);
  const started = Date.now();
  const upload = await steward.upload<{ id: string }>(`/api/v1/datasets/${dataset.id}/uploads`, csv);
  const done = await awaitUpload(steward, dataset.id, upload.id);
  const catalogue = await steward.get<DatasetView>(`/api/v1/datasets/${dataset.id}`);
  const keyed = JSON.stringify(definition).includes('"linkage_key"');
  say(`  ${label}: ${done.rowsAccepted.toLocaleString('en')} rows validated${keyed ? ', pseudonymised' : ''} and loaded in ${((Date.now() - started) / 1000).toFixed(1)} s (catalogue shows ~${catalogue.rowCount.toLocaleString('en')})`);
  return dataset;
}

/** Every provider and the requester sign every contract of a use case. */
export async function signContracts(useCaseId: string, requester: Member, providers: Member[], say: Say): Promise<void> {
  const contracts = await requester.admin.get<{ items: { id: string; provider: unknown; terms: { disclosure: { minCellSize: number }; releaseMode: string } }[] }>(
    `/api/v1/use-cases/${useCaseId}/contracts`,
  );
  for (const contract of contracts.items) {
    const provider = providers.find((p) => JSON.stringify(contract.provider).includes(p.id));
    if (!provider) throw new Error(`no provider found for contract ${contract.id}`);
    await provider.admin.post(`/api/v1/contracts/${contract.id}/signatures`, {});
    await requester.admin.post(`/api/v1/contracts/${contract.id}/signatures`, {});
    say(`  contract with ${provider.name}: minCellSize ${contract.terms.disclosure.minCellSize}, release ${contract.terms.releaseMode} — signed by both parties`);
  }
}

export async function vote(client: CadreClient, useCaseId: string, body: object): Promise<ApiProblem | undefined> {
  try {
    await client.post(`/api/v1/use-cases/${useCaseId}/votes`, body);
    return undefined;
  } catch (err) {
    if (err instanceof ApiProblem) return err;
    throw err;
  }
}

export async function submitComputation(client: CadreClient, useCaseId: string, query: object): Promise<ComputationView> {
  const { id } = await client.post<{ id: string }>(`/api/v1/use-cases/${useCaseId}/computations`, { query });
  return awaitComputation<ComputationView>(client, id);
}

export interface CovidOutcome {
  useCaseId: string;
  datasets: { patients: string; households: string; communes: string };
  recusal: ApiProblem | undefined;
  positivity: ComputationView;
  icu: ComputationView;
  isolation: ComputationView;
  forbiddenCross: ApiProblem | undefined;
  differencing: ComputationView;
  differencingCommune: string;
}

/** The founding use case: COVID risk mapping by commune and income band. */
export async function runCovidScenario(f: Federation, world: CovidWorld, say: Say): Promise<CovidOutcome> {
  say(`The hospital, the social body and the statistics body load their data (${world.patients.length.toLocaleString('en')} synthetic patients)`);
  const communeCodes = world.communes.map((c) => c.code);
  const patients = await createAndLoad(f.hospital.users.steward.client, {
    name: 'covid_patients', description: 'COVID-19 patients of the university hospital (synthetic)',
    columns: [
      { name: 'nationalId', type: 'text', role: 'linkage_key' },
      { name: 'commune', type: 'category', role: 'quasi_identifier', categories: communeCodes },
      { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 110 },
      { name: 'covidPositive', type: 'boolean', role: 'sensitive' },
      { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 60 },
    ],
  }, toCsv(['nationalId', 'commune', 'age', 'covidPositive', 'icuDays'], world.patients), say, 'hospital patients');
  const households = await createAndLoad(f.social.users.steward.client, {
    name: 'household_income', description: 'Household income band of benefit recipients (synthetic)',
    columns: [
      { name: 'nationalId', type: 'text', role: 'linkage_key' },
      { name: 'incomeBand', type: 'category', role: 'sensitive', categories: [...INCOME_BANDS] },
    ],
  }, toCsv(['nationalId', 'incomeBand'], world.households), say, 'social body income bands');
  const communes = await createAndLoad(f.statistics.users.steward.client, {
    name: 'communes_herault', description: 'INSEE populations of the communes of Hérault (open data)',
    columns: [
      { name: 'code', type: 'category', role: 'reference_key', categories: communeCodes },
      { name: 'name', type: 'text', role: 'attribute' },
      { name: 'population', type: 'integer', role: 'attribute', min: 0, max: 1_000_000 },
    ],
  }, toCsv(['code', 'name', 'population'], world.communes.map((c) => ({ ...c, name: c.name.replace(/,/g, ' ') }))), say, 'INSEE reference populations');

  say('The start-up and the lab submit "COVID risk mapping by commune and income band"');
  const now = Date.now();
  const useCase = await f.startup.users.researcher.client.post<{ id: string }>('/api/v1/use-cases', {
    title: 'COVID risk mapping by commune and income band',
    purpose: 'Map COVID-19 positivity per 1,000 inhabitants by commune and household income band to target prevention, without publishing a stigmatising map.',
    publicInterest: 'Public-health prevention targeted at the most exposed territories and households.',
    requestedDatasets: [
      { datasetId: patients.id, columns: ['commune', 'age', 'covidPositive', 'icuDays'] },
      { datasetId: households.id, columns: ['incomeBand'] },
      { datasetId: communes.id, columns: ['code', 'population'] },
    ],
    teamUserIds: [f.startup.users.researcher.id, f.lab.users.researcher.id],
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 365 * 24 * 3600_000).toISOString(),
  });
  // The lab's researcher is named on the start-up's team: they accept to join it (their consent is required).
  await f.lab.users.researcher.client.post(`/api/v1/use-cases/${useCase.id}/team-acceptances`, { userId: f.lab.users.researcher.id });
  await f.startup.users.researcher.client.post(`/api/v1/use-cases/${useCase.id}/submit`);

  say('The ethics committee reviews it');
  const recusal = await vote(f.committee.hospital, useCase.id, { decision: 'approve', comment: 'Our hospital supports it' });
  say(`  the hospital's committee member votes: refused, ${recusal?.status} ${recusal?.body.code} (the hospital provides data)`);
  const conditions = { minCellSize: COVID_MIN_CELL_SIZE, forbiddenGroupBy: [['covid_patients.age', 'covid_patients.commune']] };
  for (const [who, client] of [['region', f.committee.region], ['ethicist', f.committee.ethicist], ['lawyer', f.committee.lawyer]] as const) {
    const refused = await vote(client, useCase.id, { decision: 'approve', comment: 'Proportionate and of public interest', conditions });
    if (refused) throw refused;
    say(`  ${who}: approve, with conditions minCellSize ${COVID_MIN_CELL_SIZE} and no crossing of age with commune`);
  }
  const approved = await f.startup.users.researcher.client.get<{ status: string; decision?: { outcome?: string } }>(`/api/v1/use-cases/${useCase.id}`);
  say(`  decision: ${approved.status} (signed)`);

  say('Contracts are drafted, one per provider, from the request and the conditions');
  await signContracts(useCase.id, f.startup, [f.hospital, f.social, f.statistics], say);
  const active = await f.startup.users.researcher.client.get<{ status: string }>(`/api/v1/use-cases/${useCase.id}`);
  say(`  use case: ${active.status}`);

  const researcher = f.startup.users.researcher.client;
  say('Computation 1: COVID-positive patients per 1,000 inhabitants by commune (INSEE populations as the denominator)');
  const positivity = await submitComputation(researcher, useCase.id, {
    datasets: [{ datasetId: patients.id, as: 'h' }, { datasetId: households.id, as: 's' }, { datasetId: communes.id, as: 'ref' }],
    where: [{ column: 'h.covidPositive', op: 'eq', value: true }],
    groupBy: ['h.commune'],
    measures: [{ fn: 'count' }, { fn: 'rate', of: 'count', per: 'ref.population', scale: 1000 }],
    join: [{ left: 'h.commune', right: 'ref.code' }],
    totals: false,
    privacy: { mechanism: 'none' },
  });

  say('Computation 2: mean ICU days of positive patients by age band');
  const icu = await submitComputation(researcher, useCase.id, {
    datasets: [{ datasetId: patients.id, as: 'h' }],
    where: [{ column: 'h.covidPositive', op: 'eq', value: true }],
    groupBy: [{ column: 'h.age', bins: [0, 18, 45, 65, 80, 111] }],
    measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 'h.icuDays' }],
    join: [],
    totals: true,
    privacy: { mechanism: 'none' },
  });

  say('Attack 1: isolate the oldest patients of the smallest commune, with a fine group-by whose labels would describe them');
  const smallest = [...world.communes].sort((a, b) => a.population - b.population)[0];
  const isolation = await submitComputation(researcher, useCase.id, {
    datasets: [{ datasetId: patients.id, as: 'h' }],
    where: [{ column: 'h.commune', op: 'eq', value: smallest.code }, { column: 'h.age', op: 'gte', value: 90 }],
    groupBy: ['h.covidPositive', { column: 'h.icuDays', bins: ISOLATION_ICU_BINS }],
    measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }],
    join: [],
    totals: false,
    privacy: { mechanism: 'none' },
  });

  say('Attack 2: cross age with commune, which the committee forbade');
  let forbiddenCross: ApiProblem | undefined;
  try {
    await researcher.post(`/api/v1/use-cases/${useCase.id}/computations`, {
      query: {
        datasets: [{ datasetId: patients.id, as: 'h' }], where: [], groupBy: ['h.commune', { column: 'h.age', bins: [0, 65, 111] }],
        measures: [{ fn: 'count' }], join: [], totals: false, privacy: { mechanism: 'none' },
      },
    });
  } catch (err) {
    if (!(err instanceof ApiProblem)) throw err;
    forbiddenCross = err;
  }

  say('Attack 3: difference two populations that differ by a handful of patients');
  // Every positive patient except those of one small commune: compared with computation 1's
  // population, the difference is the few positives of that commune.
  const positivesByCommune = new Map<string, number>();
  const linked = new Set(world.households.map((h) => h.nationalId));
  for (const p of world.patients) if (p.covidPositive && linked.has(p.nationalId)) positivesByCommune.set(p.commune, (positivesByCommune.get(p.commune) ?? 0) + 1);
  const differencingCommune = [...positivesByCommune.entries()].find(([, n]) => n >= 1 && n < COVID_MIN_CELL_SIZE)?.[0] ?? smallest.code;
  const differencing = await submitComputation(researcher, useCase.id, {
    datasets: [{ datasetId: patients.id, as: 'h' }, { datasetId: households.id, as: 's' }, { datasetId: communes.id, as: 'ref' }],
    where: [{ column: 'h.covidPositive', op: 'eq', value: true }, { column: 'h.commune', op: 'neq', value: differencingCommune }],
    groupBy: ['s.incomeBand'],
    measures: [{ fn: 'count' }],
    join: [{ left: 'h.commune', right: 'ref.code' }],
    totals: false,
    privacy: { mechanism: 'none' },
  });

  return {
    useCaseId: useCase.id,
    datasets: { patients: patients.id, households: households.id, communes: communes.id },
    recusal, positivity, icu, isolation, forbiddenCross, differencing, differencingCommune,
  };
}

export interface ProcurementOutcome {
  useCaseId: string;
  shares: ComputationView;
  /** Contract value by year × supplier size, margins included: a supplier counts in each year it won a contract in. */
  byYear: ComputationView;
}

/** The second scenario: the share of public contract value won by local SMEs. */
export async function runProcurementScenario(f: Federation, world: ProcurementWorld, say: Say): Promise<ProcurementOutcome> {
  say(`The Region loads ${world.contracts.length} public contracts of Hérault's communes; INSEE loads its company register`);
  const contracts = await createAndLoad(f.region.users.steward.client, {
    name: 'public_contracts', description: 'Contracts awarded by the communes of Hérault (real buyers, synthetic amounts)',
    columns: [
      { name: 'supplierSiren', type: 'text', role: 'linkage_key' },
      { name: 'buyerSiren', type: 'text', role: 'attribute' },
      { name: 'year', type: 'integer', role: 'attribute', min: CONTRACT_YEARS[0], max: CONTRACT_YEARS[CONTRACT_YEARS.length - 1] },
      { name: 'amount', type: 'number', role: 'sensitive', min: 0, max: 1_000_000_000 },
    ],
  }, toCsv(['supplierSiren', 'buyerSiren', 'year', 'amount'], world.contracts), say, 'public contracts');
  const register = await createAndLoad(f.statistics.users.steward.client, {
    name: 'company_register', description: 'Company size band and département (synthetic SIRENE extract)',
    columns: [
      { name: 'siren', type: 'text', role: 'linkage_key' },
      { name: 'sizeBand', type: 'category', role: 'attribute', categories: [...SIZE_BANDS] },
      { name: 'departement', type: 'category', role: 'attribute', categories: [...DEPARTEMENTS] },
    ],
  }, toCsv(['siren', 'sizeBand', 'departement'], world.companies), say, 'company register');

  const now = Date.now();
  const lab = f.lab.users.researcher.client;
  const useCase = await lab.post<{ id: string }>('/api/v1/use-cases', {
    title: 'Share of public procurement won by local SMEs',
    purpose: 'Measure the share of the value of contracts awarded by communes that goes to SMEs of the département.',
    publicInterest: 'Evaluate the local economic effect of public procurement.',
    requestedDatasets: [
      { datasetId: contracts.id, columns: ['year', 'amount'] },
      { datasetId: register.id, columns: ['sizeBand', 'departement'] },
    ],
    teamUserIds: [f.lab.users.researcher.id],
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 180 * 24 * 3600_000).toISOString(),
  });
  await lab.post(`/api/v1/use-cases/${useCase.id}/submit`);
  for (const client of [f.committee.hospital, f.committee.ethicist, f.committee.lawyer]) {
    const refused = await vote(client, useCase.id, { decision: 'approve', comment: 'Economic statistics of public interest' });
    if (refused) throw refused;
  }
  say('  approved by three non-recused committee members; contracts signed');
  await signContracts(useCase.id, f.lab, [f.region, f.statistics], say);

  const shares = await submitComputation(lab, useCase.id, {
    datasets: [{ datasetId: contracts.id, as: 'p' }, { datasetId: register.id, as: 'r' }],
    where: [],
    groupBy: ['r.sizeBand', 'r.departement'],
    measures: [{ fn: 'count' }, { fn: 'sum', column: 'p.amount' }],
    join: [],
    totals: false,
    privacy: { mechanism: 'none' },
  });
  // Transaction-level data (issue 13): a supplier's contracts spread over the years, so a
  // supplier counts in every year they won a contract in, and once in each margin.
  const byYear = await submitComputation(lab, useCase.id, {
    datasets: [{ datasetId: contracts.id, as: 'p' }, { datasetId: register.id, as: 'r' }],
    where: [],
    groupBy: ['p.year', 'r.sizeBand'],
    measures: [{ fn: 'count' }, { fn: 'sum', column: 'p.amount' }, { fn: 'mean', column: 'p.amount' }, { fn: 'mean', column: 'p.amount', per: 'row' }],
    join: [],
    totals: true,
    privacy: { mechanism: 'none' },
  });
  return { useCaseId: useCase.id, shares, byYear };
}
