import type { TFunction } from 'i18next';
import { prettyColumn } from './columns';

/**
 * A result column's measure said in words: `count`, `sum(h.icuDays)`, `mean(…)` and
 * `rate(count/ref.population*1000)` (the planner's labels) → "Persons per 1,000 of population (ref)".
 */
export function measureLabel(t: TFunction, m: string, locale: string): string {
  if (m === 'count') return t('measures.count');
  const inner = /^(\w+)\((.*)\)$/.exec(m);
  if (!inner) return m;
  const [, fn, arg] = inner;
  if (fn === 'sum' || fn === 'mean') return t(`measures.${fn}`, { column: prettyColumn(arg) });
  if (fn === 'rate') {
    const rate = /^(count|sum\((.+)\))\/(.+)\*([\d.e+-]+)$/.exec(arg);
    if (!rate) return t('measures.rate', { detail: arg });
    const [, numerator, summed, per, scale] = rate;
    const values = { scale: Number(scale).toLocaleString(locale), per: prettyColumn(per), column: summed ? prettyColumn(summed) : '' };
    return numerator === 'count' ? t('measures.rateOfCount', values) : t('measures.rateOfSum', values);
  }
  return m;
}
