import type { Client } from 'pg';
import type { CatalogueDataset, EffectivePolicy, GrantingTerms, PlanningContext } from '@cadre/computations';
import { effectivePolicy } from '@cadre/computations';

/** Three small vault tables, written as the vault owner, and their catalogue entries. */
export const IDS = {
  hospital: '0a000000-0000-4000-8000-000000000001',
  social: '0a000000-0000-4000-8000-000000000002',
  reference: '0a000000-0000-4000-8000-000000000003',
};
export const TABLES = {
  hospital: `ds_${IDS.hospital.replace(/-/g, '')}_v1`,
  social: `ds_${IDS.social.replace(/-/g, '')}_v1`,
  reference: `ds_${IDS.reference.replace(/-/g, '')}_v1`,
};
export const IRIS = ['340170101', '340170102', '340170103', '340170104'];

export function catalogue(overrides: { irisCategories?: string[] } = {}): CatalogueDataset[] {
  return [
    {
      id: IDS.hospital,
      name: 'hospital_stays',
      organisationId: 'org-h',
      kind: 'person',
      level: 'transaction',
      columns: [
        { name: 'pid', type: 'text', role: 'linkage_key' },
        { name: 'iris', type: 'category', role: 'quasi_identifier', categories: overrides.irisCategories ?? IRIS },
        { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
        { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 60 },
        { name: 'ward', type: 'text', role: 'attribute' },
      ],
      current: { versionId: 'v1', table: TABLES.hospital, rowCount: 56 },
    },
    {
      id: IDS.social,
      name: 'social_benefits',
      organisationId: 'org-s',
      kind: 'person',
      level: 'transaction',
      columns: [
        { name: 'pid', type: 'text', role: 'linkage_key' },
        { name: 'income', type: 'number', role: 'sensitive', min: 0, max: 100000 },
      ],
      current: { versionId: 'v1', table: TABLES.social, rowCount: 53 },
    },
    {
      id: IDS.reference,
      name: 'insee_iris',
      organisationId: 'org-r',
      kind: 'reference',
      level: 'transaction',
      columns: [
        { name: 'code', type: 'text', role: 'reference_key' },
        { name: 'population', type: 'integer', role: 'attribute', min: 0, max: 1000000 },
      ],
      current: { versionId: 'v1', table: TABLES.reference, rowCount: 4 },
    },
  ];
}

const pid = (i: number) => `pseudo-${String(i).padStart(3, '0')}`;

/**
 * Hand-built data (each line below is what the expectations in the tests are computed from):
 * - p1–p30: iris …101, age 40, 2 ICU days, income 1000.5
 * - p31–p45: iris …102, age 70, 4 ICU days (p45: 5), income 2000
 * - p46–p50: iris …103, age 10, 1 ICU day, income 500
 * - p1 has a second hospital row (iris …102, age 40, 9 days): a person counts once, by their first row in key order (…101)
 * - p52–p55: hospital only (iris …101, age 50, 3 days) — not linked, never counted
 * - p56–p58: social only — never counted
 */
export async function createVault(owner: Client): Promise<void> {
  const h: [string, string, number, number][] = [];
  const s: [string, number][] = [];
  for (let i = 1; i <= 30; i++) h.push([pid(i), IRIS[0], 40, 2]), s.push([pid(i), 1000.5]);
  for (let i = 31; i <= 45; i++) h.push([pid(i), IRIS[1], 70, i === 45 ? 5 : 4]), s.push([pid(i), 2000]);
  for (let i = 46; i <= 50; i++) h.push([pid(i), IRIS[2], 10, 1]), s.push([pid(i), 500]);
  h.push([pid(1), IRIS[1], 40, 9]);
  for (let i = 52; i <= 55; i++) h.push([pid(i), IRIS[0], 50, 3]);
  for (let i = 56; i <= 58; i++) s.push([pid(i), 9999]);

  await owner.query('SET ROLE cadre_vault');
  try {
    await owner.query(`CREATE TABLE vault.${TABLES.hospital} (pid text NOT NULL, iris text, age bigint, "icuDays" bigint, ward text)`);
    await owner.query(`CREATE TABLE vault.${TABLES.social} (pid text NOT NULL, income double precision)`);
    await owner.query(`CREATE TABLE vault.${TABLES.reference} (code text NOT NULL, population bigint)`);
    for (const r of h) await owner.query(`INSERT INTO vault.${TABLES.hospital} VALUES ($1, $2, $3, $4, 'ward A')`, r);
    for (const r of s) await owner.query(`INSERT INTO vault.${TABLES.social} VALUES ($1, $2)`, r);
    for (const [code, pop] of [[IRIS[0], 1000], [IRIS[1], 2000], [IRIS[2], 3000], [IRIS[3], 4000]]) {
      await owner.query(`INSERT INTO vault.${TABLES.reference} VALUES ($1, $2)`, [code, pop]);
    }
  } finally {
    await owner.query('RESET ROLE');
  }
}

export function terms(mechanism: 'none' | 'laplace' | 'gaussian' = 'none', rounding = 0): GrantingTerms[] {
  const disclosure = { minCellSize: 11, dominance: { n: 1, k: 85 }, rounding, privacy: { mechanism, epsilonTotal: 2, delta: 1e-6 } };
  return [
    { datasets: [{ datasetId: IDS.hospital, columns: ['iris', 'age', 'icuDays', 'ward', 'pid'] }], disclosure, maxComputations: 100, releaseMode: 'automatic' },
    {
      datasets: [
        { datasetId: IDS.social, columns: ['income', 'pid'] },
        { datasetId: IDS.reference, columns: ['code', 'population'] },
      ],
      disclosure,
      maxComputations: 100,
      releaseMode: 'automatic',
    },
  ];
}

export function context(options: { mechanism?: 'none' | 'laplace' | 'gaussian'; rounding?: number; irisCategories?: string[] } = {}): PlanningContext & { policy: EffectivePolicy } {
  const contracts = terms(options.mechanism, options.rounding);
  const cat = catalogue(options);
  return {
    catalogue: cat,
    requestedDatasets: cat.map((d) => ({ datasetId: d.id, columns: d.columns.map((c) => c.name) })),
    contracts,
    policy: effectivePolicy(contracts, {}),
  };
}
