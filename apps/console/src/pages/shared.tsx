import { useTranslation } from 'react-i18next';
import { Json } from '../api';

/** Ethics conditions in plain words. */
export function Conditions({ conditions }: { conditions?: Json }) {
  const { t } = useTranslation();
  const c = conditions ?? {};
  const items: string[] = [];
  if (c.minCellSize) items.push(t('conditions.minCellSize', { n: c.minCellSize }));
  if (c.rounding) items.push(t('conditions.rounding', { n: c.rounding }));
  if (c.maxEpsilon) items.push(t('conditions.maxEpsilon', { n: c.maxEpsilon }));
  for (const set of c.forbiddenGroupBy ?? []) items.push(t('conditions.forbidden', { cols: (set as string[]).map(prettyColumn).join(' × ') }));
  if (c.releaseMode) items.push(t(`conditions.release_${c.releaseMode}`));
  if (!items.length) return <p>{t('conditions.none')}</p>;
  return (
    <ul className="conditions">
      {items.map((i) => (
        <li key={i}>{i}</li>
      ))}
    </ul>
  );
}

/** `covid_patients.commune` → `commune (covid_patients)`. */
export function prettyColumn(c: string): string {
  const [a, b] = c.split('.');
  return b ? `${b} (${a})` : c;
}

export function useOrganisationNames(organisations?: { id: string; name: string }[]) {
  return (id: string) => organisations?.find((o) => o.id === id)?.name ?? id.slice(0, 8);
}
