import { createHmac, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { startTestPlatform, TestPlatform } from './platform';
import { Member, TestUser, World } from './world';

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

/** A platform with two adhering members (each with a data steward, a researcher and an org_admin). */
export interface DatasetsFixture {
  platform: TestPlatform;
  world: World;
  /** The provider whose datasets the suite loads. */
  provider: Member;
  steward: TestUser;
  /** Another member: its steward must never reach the provider's datasets. */
  other: Member;
}

export async function startDatasetsFixture(): Promise<DatasetsFixture> {
  const platform = await startTestPlatform();
  const world = new World(platform);
  const provider = await world.createMember('health', ['data_steward', 'researcher']);
  const other = await world.createMember('public_institutions', ['data_steward', 'researcher']);
  return { platform, world, provider, steward: provider.user('data_steward'), other };
}

/** POST /api/v1/datasets as `steward`; returns the raw answer (status and body). */
export function declareDataset(world: World, steward: TestUser, body: { name?: string; description?: string; level?: 'person' | 'transaction'; columns: readonly object[] }) {
  return world
    .as(steward.token)
    .post('/api/v1/datasets')
    .send({ name: body.name ?? datasetName(), description: body.description ?? 'fixture', ...(body.level ? { level: body.level } : {}), columns: body.columns });
}

/** POST a CSV text to /api/v1/datasets/{id}/uploads as `steward`; returns the raw answer. */
export function uploadCsvText(world: World, steward: TestUser, datasetId: string, csv: string) {
  return world.as(steward.token).post(`/api/v1/datasets/${datasetId}/uploads`).set('Content-Type', 'text/csv').send(csv);
}

/**
 * Streams `source` as the body of an upload over a real socket (chunked, never buffered
 * by the client), and resolves with the answer's status and JSON body.
 */
export async function streamUpload(platform: TestPlatform, token: string, datasetId: string, source: Readable): Promise<{ status: number; body: any }> {
  const server = platform.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: `/api/v1/datasets/${datasetId}/uploads`, headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${token}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    pipeline(source, req).catch(reject);
  });
}
