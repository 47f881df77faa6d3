import { useTranslation } from 'react-i18next';
import { Json } from '../api';
import { prettyColumn } from '../logic/columns';

/** Ethics conditions in plain words. */
export function Conditions({ conditions }: { conditions?: Json }) {
  const { t } = useTranslation();
  const c = conditions ?? {};
  const items: string[] = [];
  if (c.minCellSize) items.push(t('conditions.minCellSize', { n: c.minCellSize }));
  if (c.rounding) items.push(t('conditions.rounding', { n: c.rounding }));
  if (c.maxEpsilon) items.push(t('conditions.maxEpsilon', { n: c.maxEpsilon }));
  for (const set of c.forbiddenGroupBy ?? []) items.push(t('conditions.forbidden', { cols: (set as string[]).map(prettyColumn).join(' × ') }));
  if (c.perturbation?.maxDeviation) items.push(t('conditions.perturbation', { n: c.perturbation.maxDeviation }));
  if (c.perturbation?.variance) items.push(t('conditions.perturbationVariance', { v: c.perturbation.variance }));
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

export { prettyColumn } from '../logic/columns';

export function useOrganisationNames(organisations?: { id: string; name: string }[]) {
  return (id: string) => organisations?.find((o) => o.id === id)?.name ?? id.slice(0, 8);
}
