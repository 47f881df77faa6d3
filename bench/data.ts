import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { heraultCommunes, seededRandom } from '../scripts/demo/synthetic';

/** Generated data sets live here, never in git (see .gitignore). */
export const DATA_DIR = join(process.cwd(), 'bench', 'data');

/** Columns of the benchmark's two person-level datasets (same shapes as the demo's). */
export const PATIENT_COLUMNS = (communes: string[]) => [
  { name: 'nationalId', type: 'text', role: 'linkage_key' },
  { name: 'commune', type: 'category', role: 'quasi_identifier', categories: communes },
  { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 110 },
  { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 60 },
];
export const HOUSEHOLD_COLUMNS = [
  { name: 'nationalId', type: 'text', role: 'linkage_key' },
  { name: 'incomeBand', type: 'category', role: 'sensitive', categories: ['low', 'middle', 'high'] },
];

async function writeLines(path: string, header: string, rows: number, line: (i: number) => string): Promise<string> {
  mkdirSync(DATA_DIR, { recursive: true });
  if (existsSync(path)) return path;
  const out = createWriteStream(path + '.tmp');
  out.write(header + '\n');
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    buffer += line(i) + '\n';
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  const { renameSync } = await import('node:fs');
  renameSync(path + '.tmp', path);
  return path;
}

/** A CSV of `rows` persons over the communes of Hérault, deterministic for a seed; cached under bench/data/. */
export function patientsCsv(rows: number, seed: number): Promise<string> {
  const communes = heraultCommunes();
  const cum: number[] = [];
  communes.reduce((acc, c) => (cum.push(acc + c.population), acc + c.population), 0);
  const random = seededRandom(seed);
  const pick = () => {
    const x = random() * cum[cum.length - 1];
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return communes[lo].code;
  };
  return writeLines(join(DATA_DIR, `patients-${rows}-${seed}.csv`), 'nationalId,commune,age,icuDays', rows, (i) =>
    `P${String(i).padStart(12, '0')},${pick()},${Math.floor(random() * 100)},${random() < 0.1 ? 1 + Math.floor(random() * 20) : 0}`,
  );
}

/** Income bands for the same persons as `patientsCsv` (same national ids). */
export function householdsCsv(rows: number, seed: number): Promise<string> {
  const random = seededRandom(seed + 1);
  const bands = ['low', 'middle', 'high'];
  return writeLines(join(DATA_DIR, `households-${rows}-${seed}.csv`), 'nationalId,incomeBand', rows, (i) => `P${String(i).padStart(12, '0')},${bands[Math.floor(random() * 3)]}`);
}
