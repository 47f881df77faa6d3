import { CovidWorld, ProcurementWorld } from '../../scripts/demo/synthetic';

/** One expected cell, computed independently of the platform from the generated data. */
export interface ExpectedCell {
  key: string;
  persons: number;
  sum: number;
  /** The largest single person's contribution to `sum` (for the dominance rule). */
  top: number;
}

function add(cells: Map<string, ExpectedCell>, key: string, contribution: number): void {
  const cell = cells.get(key) ?? { key, persons: 0, sum: 0, top: 0 };
  cell.persons += 1;
  cell.sum += contribution;
  cell.top = Math.max(cell.top, Math.abs(contribution));
  cells.set(key, cell);
}

/** Positive patients known to the social body, by commune (the headline map's numerator). */
export function expectedPositivityByCommune(world: CovidWorld): Map<string, ExpectedCell> {
  const linked = new Set(world.households.map((h) => h.nationalId));
  const cells = new Map<string, ExpectedCell>();
  for (const p of world.patients) if (p.covidPositive && linked.has(p.nationalId)) add(cells, p.commune, 0);
  return cells;
}

/** A cell of the declared domain nobody is in. */
export const emptyCell = (key: string): ExpectedCell => ({ key, persons: 0, sum: 0, top: 0 });

/** Positive patients known to the social body, by commune × income band. */
export function expectedPositivity(world: CovidWorld): Map<string, ExpectedCell> {
  const band = new Map(world.households.map((h) => [h.nationalId, h.incomeBand]));
  const cells = new Map<string, ExpectedCell>();
  for (const p of world.patients) {
    const b = band.get(p.nationalId);
    if (p.covidPositive && b) add(cells, `${p.commune}|${b}`, 0);
  }
  return cells;
}

export const ICU_BINS = [0, 18, 45, 65, 80, 111];

/** Positive patients by age band (half-open bins), with their ICU days. */
export function expectedIcu(world: CovidWorld): Map<string, ExpectedCell> {
  const cells = new Map<string, ExpectedCell>();
  for (const p of world.patients) {
    if (!p.covidPositive) continue;
    const i = ICU_BINS.findIndex((lo, k) => k < ICU_BINS.length - 1 && p.age >= lo && p.age < ICU_BINS[k + 1]);
    if (i >= 0) add(cells, `[${ICU_BINS[i]},${ICU_BINS[i + 1]})`, p.icuDays);
  }
  return cells;
}

/** Suppliers by size band × département, each supplier's contracts summed first (one contributor each). */
export function expectedProcurement(world: ProcurementWorld): Map<string, ExpectedCell> {
  const perSupplier = new Map<string, number>();
  for (const c of world.contracts) perSupplier.set(c.supplierSiren, (perSupplier.get(c.supplierSiren) ?? 0) + c.amount);
  const cells = new Map<string, ExpectedCell>();
  for (const company of world.companies) {
    const total = perSupplier.get(company.siren);
    if (total !== undefined) add(cells, `${company.sizeBand}|${company.departement}`, total);
  }
  return cells;
}

/**
 * Suppliers by year × size band, margins included (`*`): a supplier counts in every year it
 * won a contract in and once in a margin; its contribution is the total of its contracts
 * there (transaction-level data, issue 13). `rows` counts the contracts.
 */
export function expectedProcurementByYear(world: ProcurementWorld): Map<string, ExpectedCell & { rows: number }> {
  const size = new Map(world.companies.map((c) => [c.siren, c.sizeBand]));
  const perSupplier = new Map<string, { totals: Map<string, number>; rows: number }>();
  for (const c of world.contracts) {
    const band = size.get(c.supplierSiren);
    if (!band) continue;
    for (const key of [`${c.year}|${band}`, `${c.year}|*`, `*|${band}`, '*|*']) {
      const cell = perSupplier.get(key) ?? { totals: new Map<string, number>(), rows: 0 };
      cell.totals.set(c.supplierSiren, (cell.totals.get(c.supplierSiren) ?? 0) + c.amount);
      cell.rows += 1;
      perSupplier.set(key, cell);
    }
  }
  const cells = new Map<string, ExpectedCell & { rows: number }>();
  for (const [key, { totals, rows }] of perSupplier) {
    const values = [...totals.values()];
    cells.set(key, { key, persons: values.length, sum: values.reduce((a, b) => a + b, 0), top: Math.max(...values), rows });
  }
  return cells;
}

/** Why the rules suppress a cell in the first place (before any secondary suppression), or null. */
export function primaryReason(cell: ExpectedCell, minCellSize: number, dominance?: { n: 1; k: number }): 'min_cell_size' | 'dominance' | null {
  if (cell.persons < minCellSize) return 'min_cell_size';
  if (dominance && cell.sum !== 0 && cell.top > (dominance.k / 100) * Math.abs(cell.sum)) return 'dominance';
  return null;
}
