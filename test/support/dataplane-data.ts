import { createHmac } from 'node:crypto';
import { seededRandom } from '../../scripts/demo/synthetic';

/**
 * The generated world of the data-plane suites, and the independent arithmetic the
 * suites check the platform against. Nothing here calls the platform: expected numbers
 * come from these rows and from the policy the suite sets, never from an answer.
 *
 * Two providers hold person-level data on partly overlapping populations (a hospital,
 * a social body), a third holds an open reference table of communes. Some communes are
 * sized on purpose around the minimum cell size so that every disclosure rule has work.
 */

/** The minimum cell size the suites' ethics decisions impose (above the platform's 11). */
export const MIN_CELL = 15;

export const INCOME_BANDS = ['low', 'middle', 'high'] as const;
export type IncomeBand = (typeof INCOME_BANDS)[number];

/** Communes sized around MIN_CELL: exactly these many linked persons each. */
export const TINY = '34150'; // 4 persons: below the threshold
export const JUST_UNDER = '34154'; // MIN_CELL − 1, all in the 'high' band
export const JUST_AT = '34157'; // MIN_CELL, all in the 'low' band
/** 25 persons, all in the 'middle' band, ICU days 0 except one person with 60: dominated. */
export const DOMINATED = '34199';
/** A large commune where almost nobody is in the 'high' band: one small cell in a line of large ones. */
export const SPARSE_HIGH = '34003';
/** In the hospital's categories, absent from the reference table (dropped by the reference join). */
export const NOT_IN_REFERENCE = '34270';
/** Declared, in the reference table, but nobody lives there: an empty cell. */
export const EMPTY = '34999';
export const DOMINANT_ICU_DAYS = 60;

const LARGE: { code: string; share: number; population: number }[] = [
  { code: '34172', share: 0.5, population: 299_096 },
  { code: '34032', share: 0.22, population: 79_041 },
  { code: '34301', share: 0.14, population: 44_558 },
  { code: '34003', share: 0.09, population: 29_555 },
  { code: '34108', share: 0.05, population: 23_221 },
];
const EXACT: { code: string; persons: number; population: number }[] = [
  { code: TINY, persons: 4, population: 1_200 },
  { code: JUST_UNDER, persons: MIN_CELL - 1, population: 2_100 },
  { code: JUST_AT, persons: MIN_CELL, population: 3_500 },
  { code: DOMINATED, persons: 25, population: 5_000 },
  { code: NOT_IN_REFERENCE, persons: 40, population: 0 },
];

/** Exact communes whose persons all share one band, so that their band cells hold exactly their size. */
const EXACT_BAND: Record<string, IncomeBand> = { [JUST_UNDER]: 'high', [JUST_AT]: 'low', [DOMINATED]: 'middle' };

/** Every commune the hospital declares (its category domain), in a fixed order. */
export const COMMUNE_CODES = [...LARGE.map((c) => c.code), ...EXACT.map((c) => c.code), EMPTY];

export interface HospitalRow {
  nationalId: string;
  commune: string;
  age: number;
  icuDays: number;
  covidPositive: boolean;
}
export interface SocialRow {
  nationalId: string;
  incomeBand: IncomeBand;
}
export interface CommuneRow {
  code: string;
  population: number;
}
/** A person present in both person-level datasets: what the pseudonym join yields. */
export interface LinkedPerson extends HospitalRow {
  incomeBand: IncomeBand;
  /** The commune's reference population, or null when the reference table lacks the commune. */
  population: number | null;
}

export interface GeneratedWorld {
  hospital: HospitalRow[];
  social: SocialRow[];
  communes: CommuneRow[];
  linked: LinkedPerson[];
}

export const HOSPITAL_DATASET = {
  description: 'Hospital stays (synthetic)',
  columns: [
    { name: 'nationalId', type: 'text', role: 'linkage_key' },
    { name: 'commune', type: 'category', role: 'quasi_identifier', categories: COMMUNE_CODES },
    { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 110 },
    { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 60 },
    { name: 'covidPositive', type: 'boolean', role: 'sensitive' },
  ],
} as const;
export const SOCIAL_DATASET = {
  description: 'Household income bands (synthetic)',
  columns: [
    { name: 'nationalId', type: 'text', role: 'linkage_key' },
    { name: 'incomeBand', type: 'category', role: 'sensitive', categories: [...INCOME_BANDS] },
  ],
} as const;
export const COMMUNES_DATASET = {
  description: 'Communes and their populations (open data)',
  columns: [
    { name: 'code', type: 'text', role: 'reference_key' },
    { name: 'population', type: 'integer', role: 'attribute', min: 0, max: 10_000_000 },
  ],
} as const;


/** A 13-digit national identifier, distinct per index. */
export const nationalIdOf = (i: number) => `1${String(800_000_000_000 + i * 7919).padStart(12, '0')}`;

/**
 * `persons` hospital patients (plus 400 people only the social body knows). In the large
 * communes one patient in six is unknown to the social body; in the exact communes
 * everyone is linked, so their linked sizes are exactly the declared ones.
 */
export function generateWorld(seed = 20240601, persons = 3000): GeneratedWorld {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const band = (): IncomeBand => {
    const r = random();
    return r < 0.3 ? 'low' : r < 0.8 ? 'middle' : 'high';
  };
  const hospital: HospitalRow[] = [];
  const social: SocialRow[] = [];
  let next = 0;
  const patient = (commune: string): HospitalRow => {
    const covidPositive = random() < 0.3;
    const icuDays = covidPositive ? (random() < 0.5 ? int(1, 20) : 0) : random() < 0.1 ? int(1, 4) : 0;
    return { nationalId: nationalIdOf(next++), commune, age: int(0, 110), icuDays, covidPositive };
  };

  for (const exact of EXACT) {
    for (let k = 0; k < exact.persons; k++) {
      const row = patient(exact.code);
      if (exact.code === DOMINATED) row.icuDays = k === 0 ? DOMINANT_ICU_DAYS : 0;
      social.push({ nationalId: row.nationalId, incomeBand: EXACT_BAND[exact.code] ?? band() });
      hospital.push(row);
    }
  }
  const rest = persons - hospital.length;
  LARGE.forEach((c, ci) => {
    const quota = ci === LARGE.length - 1 ? persons - hospital.length : Math.round(rest * c.share);
    for (let k = 0; k < quota; k++) {
      const row = patient(c.code);
      hospital.push(row);
      const incomeBand = c.code === SPARSE_HIGH ? (k % 40 === 0 ? 'high' : random() < 0.4 ? 'low' : 'middle') : band();
      if (k % 6 !== 5) social.push({ nationalId: row.nationalId, incomeBand });
    }
  });
  for (let k = 0; k < 400; k++) social.push({ nationalId: nationalIdOf(next++), incomeBand: band() });

  const communes: CommuneRow[] = [
    ...LARGE.map((c) => ({ code: c.code, population: c.population })),
    ...EXACT.filter((c) => c.code !== NOT_IN_REFERENCE).map((c) => ({ code: c.code, population: c.population })),
    { code: EMPTY, population: 800 },
  ];
  const bandOf = new Map(social.map((s) => [s.nationalId, s.incomeBand]));
  const populationOf = new Map(communes.map((c) => [c.code, c.population]));
  const linked = hospital
    .filter((h) => bandOf.has(h.nationalId))
    .map((h) => ({ ...h, incomeBand: bandOf.get(h.nationalId)!, population: populationOf.get(h.commune) ?? null }));
  return { hospital, social, communes, linked };
}

function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV with a header row from objects (every value present). */
export function toCsv<T extends object>(header: (keyof T & string)[], rows: T[]): string {
  return [header.join(','), ...rows.map((r) => header.map((h) => csvCell(r[h] as string | number | boolean)).join(','))].join('\n') + '\n';
}

/** The pseudonym the platform should store for a linkage value (HMAC-SHA-256, computed here independently). */
export function pseudonymOf(key: string, raw: string): string {
  return createHmac('sha256', key).update(raw.trim().toUpperCase().replace(/\s+/g, '')).digest('hex');
}

/** One cell of an expected table. */
export interface ExpectedCell {
  persons: number;
  icuSum: number;
  /** Every person's ICU days, for the dominance rule. */
  icu: number[];
}

/** Groups persons by a key function (null: the person is in no cell). */
export function tabulate<P extends { icuDays: number }>(persons: P[], key: (p: P) => string | null): Map<string, ExpectedCell> {
  const cells = new Map<string, ExpectedCell>();
  for (const p of persons) {
    const k = key(p);
    if (k === null) continue;
    const cell = cells.get(k) ?? { persons: 0, icuSum: 0, icu: [] };
    cell.persons += 1;
    cell.icuSum += p.icuDays;
    cell.icu.push(p.icuDays);
    cells.set(k, cell);
  }
  return cells;
}

/** API.md rule 2: the n largest contributions make more than k% of the cell's total. */
export function isDominated(values: number[], n: number, k: number): boolean {
  const total = values.reduce((a, b) => a + Math.abs(b), 0);
  if (total <= 0) return false;
  const top = values.map(Math.abs).sort((a, b) => b - a).slice(0, n).reduce((a, b) => a + b, 0);
  return top > (k / 100) * total;
}

/** The reason a cell must be suppressed by rules 1 and 2, or null. */
export function primaryReason(cell: ExpectedCell, minCellSize: number, dominance?: { n: number; k: number }): 'min_cell_size' | 'dominance' | null {
  if (cell.persons < minCellSize) return 'min_cell_size';
  if (dominance && isDominated(cell.icu, dominance.n, dominance.k)) return 'dominance';
  return null;
}

/** Rule 4: the nearest multiple of `base` (integers never fall halfway for an odd base… nor for 5). */
export const roundToBase = (value: number, base: number) => (base > 0 ? Math.round(value / base) * base : value);

/**
 * Whether a suppressed cell of a table is determined by the published ones: the table's
 * additivity (each line's margin is the sum of its cells) is a linear system in the
 * suppressed values; a suppressed value is recomputable iff its unit vector lies in the
 * row space of that system (rank unchanged when it is added).
 */
export function recomputableCells(lines: { cells: string[]; margin: string }[], suppressed: Set<string>): string[] {
  const unknowns = [...suppressed];
  const index = new Map(unknowns.map((u, i) => [u, i]));
  const equations: number[][] = [];
  for (const line of lines) {
    const row = new Array<number>(unknowns.length).fill(0);
    for (const cell of line.cells) if (index.has(cell)) row[index.get(cell)!] += cell === line.margin ? -1 : 1;
    if (row.some((v) => v !== 0)) equations.push(row);
  }
  const base = rank(equations);
  return unknowns.filter((_, i) => {
    const unit = new Array<number>(unknowns.length).fill(0);
    unit[i] = 1;
    return rank([...equations, unit]) === base;
  });
}

function rank(matrix: number[][]): number {
  const m = matrix.map((r) => [...r]);
  let r = 0;
  const cols = m[0]?.length ?? 0;
  for (let c = 0; c < cols && r < m.length; c++) {
    let pivot = r;
    for (let i = r + 1; i < m.length; i++) if (Math.abs(m[i][c]) > Math.abs(m[pivot][c])) pivot = i;
    if (Math.abs(m[pivot][c]) < 1e-9) continue;
    [m[r], m[pivot]] = [m[pivot], m[r]];
    for (let i = 0; i < m.length; i++) {
      if (i === r) continue;
      const f = m[i][c] / m[r][c];
      if (f !== 0) for (let j = c; j < cols; j++) m[i][j] -= f * m[r][j];
    }
    r++;
  }
  return r;
}
