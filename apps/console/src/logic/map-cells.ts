import type { TFunction } from 'i18next';

export interface MapCell {
  code: string;
  value: number | null;
  suppressed: boolean;
  reason?: string;
}

/**
 * Which communes the choropleth colours, hatches or leaves blank: a commune is coloured only
 * when its cell was released with a value; a suppressed cell is hatched whatever its value
 * says (it carries none); a commune absent from the result is "no data", not zero.
 */
export function partitionCommunes<F>(features: F[], codeOf: (f: F) => string, cells: MapCell[]): { released: F[]; suppressed: F[]; missing: F[] } {
  const byCode = new Map(cells.map((c) => [c.code, c]));
  const released: F[] = [];
  const suppressed: F[] = [];
  const missing: F[] = [];
  for (const f of features) {
    const cell = byCode.get(codeOf(f));
    if (!cell) missing.push(f);
    else if (cell.suppressed) suppressed.push(f);
    else if (cell.value != null) released.push(f);
    else missing.push(f);
  }
  return { released, suppressed, missing };
}

/** The legend's "why hatched" sentence: every distinct reason of the result, in words. */
export function suppressionReasons(t: TFunction, rows: { suppressed?: boolean; reason?: string }[], minCellSize: number): string[] {
  const reasons = [...new Set(rows.filter((r) => r.suppressed).map((r) => r.reason ?? 'min_cell_size'))];
  return reasons.map((r) => t(`reasons.${r}`, { min: minCellSize, defaultValue: t('reasons.other') }));
}
