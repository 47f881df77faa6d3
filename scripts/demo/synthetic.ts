import communesData from '@etalab/decoupage-administratif/data/communes.json';

/** A commune of Hérault as published by INSEE (via @etalab/decoupage-administratif). */
export interface Commune {
  code: string;
  name: string;
  siren: string;
  population: number;
}

export interface Patient {
  nationalId: string;
  commune: string;
  age: number;
  covidPositive: boolean;
  icuDays: number;
}

export interface Household {
  nationalId: string;
  incomeBand: IncomeBand;
}

export const INCOME_BANDS = ['low', 'middle', 'high'] as const;
export type IncomeBand = (typeof INCOME_BANDS)[number];

export interface Company {
  siren: string;
  sizeBand: SizeBand;
  departement: string;
}
export const SIZE_BANDS = ['micro', 'sme', 'large'] as const;
export type SizeBand = (typeof SIZE_BANDS)[number];
export const DEPARTEMENTS = ['34', '30', '11', '13', '31', '75'] as const;

/** The years contracts are awarded in: a supplier's contracts spread over several (transaction-level data). */
export const CONTRACT_YEARS = [2019, 2020, 2021, 2022, 2023] as const;

export interface PublicContract {
  supplierSiren: string;
  buyerSiren: string;
  year: number;
  amount: number;
}

/** The 341 communes of Hérault (département 34), real INSEE populations. */
export function heraultCommunes(): Commune[] {
  return (communesData as { code: string; nom: string; siren: string; population?: number; departement?: string; type: string }[])
    .filter((c) => c.departement === '34' && c.type === 'commune-actuelle')
    .map((c) => ({ code: c.code, name: c.nom, siren: c.siren, population: c.population ?? 0 }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

/** mulberry32: a small deterministic PRNG, so a seed always yields the same world. Not for secrets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickWeighted<T>(random: () => number, items: T[], cumulative: number[]): T {
  const x = random() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return items[lo];
}

function cumulativeOf(weights: number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}

/** A synthetic national id: 13 digits, deterministic, never a real person's. */
function syntheticNationalId(random: () => number, index: number): string {
  const sex = random() < 0.5 ? '1' : '2';
  return `${sex}${String(index).padStart(8, '0')}${String(Math.floor(random() * 10000)).padStart(4, '0')}`;
}

const AGE_BANDS: [number, number, number][] = [
  // [from, to (exclusive), weight]: a rough French age pyramid
  [0, 18, 21], [18, 30, 14], [30, 45, 19], [45, 65, 26], [65, 80, 14], [80, 101, 6],
];

/** Each commune's share of low / middle / high income households, derived from its code so it is stable. */
function incomeMix(commune: string): [number, number, number] {
  const h = [...commune].reduce((acc, ch) => (acc * 31 + ch.charCodeAt(0)) % 1000, 7) / 1000;
  const low = 0.2 + 0.3 * h;
  const high = 0.1 + 0.25 * (1 - h);
  return [low, 1 - low - high, high];
}

export interface CovidWorld {
  communes: Commune[];
  patients: Patient[];
  households: Household[];
}

/**
 * The founding use case's world: patients of a university hospital spread over the
 * communes of Hérault in proportion to their real populations, and the income bands
 * a social-benefits body holds for an overlapping population.
 */
export function generateCovidWorld(seed: number, patientCount: number): CovidWorld {
  const random = seededRandom(seed);
  const communes = heraultCommunes();
  const communeCum = cumulativeOf(communes.map((c) => c.population));
  const ageCum = cumulativeOf(AGE_BANDS.map((b) => b[2]));
  const patients: Patient[] = [];
  const households: Household[] = [];
  for (let i = 0; i < patientCount; i++) {
    const commune = pickWeighted(random, communes, communeCum);
    const [from, to] = pickWeighted(random, AGE_BANDS, ageCum);
    const age = from + Math.floor(random() * (to - from));
    const mix = incomeMix(commune.code);
    const u = random();
    const incomeBand: IncomeBand = u < mix[0] ? 'low' : u < mix[0] + mix[1] ? 'middle' : 'high';
    // The signal the use case looks for: more positives among low-income and older patients.
    const pPositive = 0.06 + (incomeBand === 'low' ? 0.05 : incomeBand === 'middle' ? 0.02 : 0) + (age >= 65 ? 0.03 : 0);
    const covidPositive = random() < pPositive;
    const pIcu = covidPositive ? (age >= 80 ? 0.35 : age >= 65 ? 0.2 : age >= 45 ? 0.08 : 0.02) : 0;
    const icuDays = random() < pIcu ? 1 + Math.floor(random() * (age >= 65 ? 25 : 12)) : 0;
    const nationalId = syntheticNationalId(random, i);
    patients.push({ nationalId, commune: commune.code, age, covidPositive, icuDays });
    // The social body knows about 80% of the hospital's patients...
    if (random() < 0.8) households.push({ nationalId, incomeBand });
  }
  // ...and about as many people again whom the hospital never saw.
  for (let i = 0; i < Math.floor(patientCount * 0.3); i++) {
    const u = random();
    households.push({ nationalId: syntheticNationalId(random, patientCount + i), incomeBand: u < 0.3 ? 'low' : u < 0.8 ? 'middle' : 'high' });
  }
  return { communes, patients, households };
}

export interface ProcurementWorld {
  buyers: Commune[];
  companies: Company[];
  contracts: PublicContract[];
  /** The supplier planted to dominate one cell, so the demo can show the dominance rule. */
  dominantSupplier: string;
}

/**
 * Public procurement of Hérault's communes (real buyer names and SIREN) with synthetic
 * suppliers and amounts. One large company outside the département wins most of its cell.
 */
export function generateProcurementWorld(seed: number, companyCount = 400): ProcurementWorld {
  const random = seededRandom(seed);
  const buyers = heraultCommunes();
  const companies: Company[] = [];
  for (let i = 0; i < companyCount; i++) {
    const u = random();
    const sizeBand: SizeBand = u < 0.55 ? 'micro' : u < 0.9 ? 'sme' : 'large';
    const d = random();
    const departement = d < 0.6 ? '34' : DEPARTEMENTS[1 + Math.floor(random() * (DEPARTEMENTS.length - 1))];
    // Synthetic SIREN-shaped identifiers starting with 9: no real company is named.
    companies.push({ siren: `9${String(10_000_000 + i * 7919).padStart(8, '0')}`, sizeBand, departement });
  }
  const dominant: Company = { siren: '999999999', sizeBand: 'large', departement: '34' };
  companies.push(dominant);
  const contracts: PublicContract[] = [];
  for (const buyer of buyers) {
    const n = 1 + Math.floor(random() * 4) + (buyer.population > 20000 ? 10 : 0);
    for (let k = 0; k < n; k++) {
      const supplier = companies[Math.floor(random() * companyCount)];
      const base = supplier.sizeBand === 'large' ? 400_000 : supplier.sizeBand === 'sme' ? 90_000 : 20_000;
      const amount = Math.round(base * (0.3 + random() * 1.4));
      contracts.push({ supplierSiren: supplier.siren, buyerSiren: buyer.siren, year: CONTRACT_YEARS[Math.floor(random() * CONTRACT_YEARS.length)], amount });
    }
  }
  // One tramway-sized contract: the dominant supplier takes most of the (large, 34) cell.
  const bySiren = new Map(companies.map((c) => [c.siren, c]));
  const cellTotal = contracts
    .filter((c) => bySiren.get(c.supplierSiren)?.sizeBand === 'large' && bySiren.get(c.supplierSiren)?.departement === '34')
    .reduce((a, c) => a + c.amount, 0);
  // x / (x + cellTotal) > 85 % needs x > 5.7 × cellTotal.
  contracts.push({ supplierSiren: dominant.siren, buyerSiren: buyers.find((b) => b.code === '34172')!.siren, year: 2022, amount: Math.max(5_000_000, cellTotal * 8) });
  return { buyers, companies, contracts, dominantSupplier: dominant.siren };
}

/** Serialises rows to CSV with a header (values here never need quoting). */
export function toCsv<T extends object>(columns: (keyof T & string)[], rows: Iterable<T>): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => String(row[c])).join(','));
  return lines.join('\n') + '\n';
}
