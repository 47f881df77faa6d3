import { createHmac, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Test, TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { AppConfig } from '@cadre/config';
import { runMigrations } from '@cadre/database';
import { DatasetsModule, DatasetsService, IngestionService, UploadsService } from '@cadre/datasets';
import { PlatformModule } from '@cadre/platform';
import { dropDatabase } from './platform';

/**
 * Dataset fixtures for e2e suites: column declarations and CSV generators that stream
 * (a large upload is produced on the fly, never held whole).
 */

export type Cell = string | number | boolean | null;

/** A person-level hospital dataset: the founding use case's "h". */
export const HOSPITAL_COLUMNS = [
  { name: 'nir', type: 'text', role: 'linkage_key' },
  { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
  { name: 'sex', type: 'category', role: 'quasi_identifier', categories: ['F', 'M'] },
  { name: 'iris', type: 'text', role: 'quasi_identifier' },
  { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 365 },
  { name: 'admitted', type: 'date', role: 'attribute' },
  { name: 'covid', type: 'boolean', role: 'sensitive' },
] as const;

/** A reference dataset keyed by a public code (INSEE open data by IRIS). */
export const IRIS_COLUMNS = [
  { name: 'iris', type: 'text', role: 'reference_key' },
  { name: 'medianIncome', type: 'number', role: 'attribute', min: 0, max: 100000 },
  { name: 'density', type: 'category', role: 'attribute', categories: ['urban', 'periurban', 'rural'] },
] as const;

/** A fake but well-formed French NIR (15 characters), distinct per index. */
export function fakeNir(i: number): string {
  const sex = (i % 2) + 1;
  return `${sex}${String(50 + (i % 50)).padStart(2, '0')}${String((i % 12) + 1).padStart(2, '0')}34${String(i).padStart(8, '0')}`.slice(0, 15);
}

export interface HospitalRow {
  nir: string;
  age: number;
  sex: 'F' | 'M';
  iris: string;
  icuDays: number;
  admitted: string;
  covid: boolean;
}

/** A deterministic hospital row (iris spread over 3 zones). */
export function hospitalRow(i: number): HospitalRow {
  return {
    nir: fakeNir(i),
    age: (i * 7) % 100,
    sex: i % 2 ? 'F' : 'M',
    iris: ['340170101', '340170102', '340170103'][i % 3],
    icuDays: i % 11,
    admitted: `2020-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    covid: i % 4 === 0,
  };
}

function csvCell(value: Cell): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (with its newline) from cells. */
export function csvLine(cells: Cell[]): string {
  return cells.map(csvCell).join(',') + '\n';
}

/** A whole CSV from a header and row objects (for small files). */
export function toCsv(header: readonly string[], rows: Record<string, Cell>[]): string {
  return csvLine([...header]) + rows.map((r) => csvLine(header.map((h) => r[h] ?? null))).join('');
}

/** A small hospital CSV of n rows. */
export function hospitalCsv(n: number, from = 0): string {
  const header = HOSPITAL_COLUMNS.map((c) => c.name);
  return toCsv(header, Array.from({ length: n }, (_, k) => hospitalRow(from + k) as unknown as Record<string, Cell>));
}

/**
 * A CSV generated lazily, chunk by chunk: `rows` lines after the header, each produced by
 * `row(i)`. Memory stays flat whatever `rows` is; pipe it into an upload.
 */
export function csvStream(header: readonly string[], rows: number, row: (i: number) => Cell[], linesPerChunk = 500): Readable {
  let i = 0;
  let headerSent = false;
  return new Readable({
    read() {
      let chunk = headerSent ? '' : csvLine([...header]);
      headerSent = true;
      const end = Math.min(rows, i + linesPerChunk);
      for (; i < end; i++) chunk += csvLine(row(i));
      this.push(chunk);
      if (i >= rows) this.push(null);
    },
  });
}

/** A streamed hospital CSV of n rows (generated on the fly). */
export function hospitalCsvStream(rows: number): Readable {
  const header = HOSPITAL_COLUMNS.map((c) => c.name);
  return csvStream(header, rows, (i) => {
    const r = hospitalRow(i);
    return header.map((h) => r[h as keyof HospitalRow]);
  });
}

/** The expected pseudonym of a linkage value, computed independently of the platform's code. */
export function expectedPseudonym(key: string, raw: string): string {
  return createHmac('sha256', key).update(raw.trim().toUpperCase().replace(/\s+/g, '')).digest('hex');
}

/** A unique dataset name for a suite. */
export function datasetName(prefix = 'dataset'): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** An organisation row created directly (for engine-level suites that run without the members API). */
export async function insertOrganisation(owner: Client, name = datasetName('org')): Promise<string> {
  const { rows } = await owner.query(`INSERT INTO cadre.organisations (name, college) VALUES ($1, 'health') RETURNING id`, [name]);
  return rows[0].id;
}

export interface DatasetsEngine {
  moduleRef: TestingModule;
  config: AppConfig;
  owner: Client;
  datasets: DatasetsService;
  uploads: UploadsService;
  ingestion: IngestionService;
  close(): Promise<void>;
}

/**
 * The data plane alone (PlatformModule + DatasetsModule) on a fresh migrated database:
 * for suites that drive the engine below HTTP (memory, vault roles).
 */
export async function startDatasetsEngine(): Promise<DatasetsEngine> {
  const databaseName = `cadre_test_ds_${randomBytes(5).toString('hex')}`;
  const server = process.env.CADRE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';
  const config = AppConfig.fromEnv({
    DATABASE_URL: `${server}/${databaseName}`,
    CADRE_PSEUDONYM_KEY: 'test-pseudonym-key-0123456789',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
  });
  await runMigrations(config);
  const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config), DatasetsModule] }).compile();
  await moduleRef.init();
  const owner = new Client({ connectionString: config.databaseUrl('owner') });
  await owner.connect();
  return {
    moduleRef,
    config,
    owner,
    datasets: moduleRef.get(DatasetsService),
    uploads: moduleRef.get(UploadsService),
    ingestion: moduleRef.get(IngestionService),
    async close() {
      await moduleRef.close();
      await owner.end();
      await dropDatabase(databaseName);
    },
  };
}
