import { useMemo, useState } from 'react';
import { Checkbox } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { get, Json, Page, post } from '../api';
import { Button, Field, Loading, ProblemBox, Section, Select, useAsyncAction, useLoad } from '../components';
import { aliasOf, buildQuery, initialPlan, type PlanDataset, type PlanState } from '../logic/plan';

const OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'between'];

/** Builds a declarative query from the use case's granted columns; every refusal is explained in words. */
export function QueryBuilder({ useCase, onSubmitted }: { useCase: Json; onSubmitted: (id: string) => void }) {
  const { t } = useTranslation();
  const catalogue = useLoad(() => get<Page<Json>>('/api/v1/datasets?limit=200'), []);
  const datasets: PlanDataset[] = useMemo(() => {
    const taken = new Set<string>();
    return (useCase.requestedDatasets as Json[]).map((r) => {
      const d = catalogue.data?.items.find((x) => x.id === r.datasetId);
      return { id: r.datasetId, name: d?.name ?? r.datasetId.slice(0, 8), kind: d?.kind ?? 'person', alias: aliasOf(d?.name ?? 'd', taken), columns: (d?.columns ?? []).filter((c: Json) => r.columns.includes(c.name)) };
    });
  }, [catalogue.data, useCase]);
  const [plan, setPlan] = useState<PlanState>(initialPlan);
  const set = <K extends keyof PlanState>(key: K) => (value: PlanState[K]) => setPlan((p) => ({ ...p, [key]: value }));
  const { selected, filters, groups, count, sumOf, meanOf, ratePer, rateScale, joinLeft, totals, mechanism, epsilon, delta } = plan;
  const setFilters = set('filters');
  const setGroups = set('groups');
  const action = useAsyncAction();

  if (!catalogue.data) return <Loading error={catalogue.error} />;
  const chosen = datasets.filter((d) => selected.includes(d.id));
  const columns = chosen.flatMap((d) => d.columns.map((c) => ({ value: `${d.alias}.${c.name}`, label: `${c.name} (${d.name})`, column: c, dataset: d })));
  const personColumns = columns.filter((c) => c.dataset.kind === 'person');
  const numeric = personColumns.filter((c) => ['integer', 'number'].includes(c.column.type));
  const reference = chosen.find((d) => d.kind === 'reference');
  const refNumeric = columns.filter((c) => c.dataset.kind === 'reference' && ['integer', 'number'].includes(c.column.type));
  const none = { value: '', label: '—' };

  const query = () => buildQuery(datasets, plan);
  const submit = () =>
    action.run(async () => {
      const accepted = await post<Json>(`/api/v1/use-cases/${useCase.id}/computations`, { query: query() });
      onSubmitted(accepted.id);
    });

  return (
    <Section title={t('qb.title')} id="query-builder">
      <p className="hint">{t('qb.intro')}</p>
      <fieldset>
        <legend>{t('qb.datasets')}</legend>
        {datasets.map((d) => (
          <Checkbox key={d.id} className="check" isSelected={selected.includes(d.id)} onChange={(on) => set('selected')(on ? [...selected, d.id] : selected.filter((x) => x !== d.id))}>
            <span className="box" aria-hidden="true" /> {d.name} <span className="hint">({t(`kind.${d.kind}`)})</span>
          </Checkbox>
        ))}
      </fieldset>
      {reference && (
        <Select id="join-left" label={t('qb.joinOn', { ref: reference.name })} value={joinLeft} onChange={set('joinLeft')} options={[{ value: '', label: t('qb.joinAuto') }, ...personColumns.map(({ value, label }) => ({ value, label }))]} />
      )}
      <fieldset>
        <legend>{t('qb.groupBy')}</legend>
        {groups.map((g, i) => (
          <div className="row" key={i}>
            <Select id={`group-${i}`} label={t('qb.groupColumn', { n: i + 1 })} value={g.column} onChange={(v) => setGroups(groups.map((x, j) => (j === i ? { ...x, column: v } : x)))} options={[none, ...columns.map(({ value, label }) => ({ value, label }))]} />
            <Field label={t('qb.bins')} value={g.bins} onChange={(v) => setGroups(groups.map((x, j) => (j === i ? { ...x, bins: v } : x)))} description={t('qb.binsHint')} />
          </div>
        ))}
        <Button kind="secondary" onPress={() => setGroups([...groups, { column: '', bins: '' }])}>
          {t('qb.addGroup')}
        </Button>
      </fieldset>
      <fieldset>
        <legend>{t('qb.filters')}</legend>
        {filters.map((f, i) => (
          <div className="row" key={i}>
            <Select id={`filter-col-${i}`} label={t('qb.filterColumn')} value={f.column} onChange={(v) => setFilters(filters.map((x, j) => (j === i ? { ...x, column: v } : x)))} options={[none, ...columns.map(({ value, label }) => ({ value, label }))]} />
            <Select id={`filter-op-${i}`} label={t('qb.operator')} value={f.op} onChange={(v) => setFilters(filters.map((x, j) => (j === i ? { ...x, op: v } : x)))} options={OPS.map((o) => ({ value: o, label: t(`ops.${o}`) }))} />
            <Field label={t('qb.value')} value={f.value} onChange={(v) => setFilters(filters.map((x, j) => (j === i ? { ...x, value: v } : x)))} />
          </div>
        ))}
        <Button kind="secondary" onPress={() => setFilters([...filters, { column: '', op: 'eq', value: '' }])}>
          {t('qb.addFilter')}
        </Button>
      </fieldset>
      <fieldset>
        <legend>{t('qb.measures')}</legend>
        <Checkbox className="check" isSelected={count} onChange={set('count')}>
          <span className="box" aria-hidden="true" /> {t('qb.count')}
        </Checkbox>
        <div className="row">
          <Select id="sum-of" label={t('qb.sumOf')} value={sumOf} onChange={set('sumOf')} options={[none, ...numeric.map(({ value, label }) => ({ value, label }))]} />
          <Select id="mean-of" label={t('qb.meanOf')} value={meanOf} onChange={set('meanOf')} options={[none, ...numeric.map(({ value, label }) => ({ value, label }))]} />
        </div>
        {refNumeric.length > 0 && (
          <div className="row">
            <Select id="rate-per" label={t('qb.ratePer')} value={ratePer} onChange={set('ratePer')} options={[none, ...refNumeric.map(({ value, label }) => ({ value, label }))]} />
            <Field label={t('qb.rateScale')} value={rateScale} onChange={set('rateScale')} />
          </div>
        )}
        <Checkbox className="check" isSelected={totals} onChange={set('totals')}>
          <span className="box" aria-hidden="true" /> {t('qb.totals')}
        </Checkbox>
      </fieldset>
      <fieldset>
        <legend>{t('qb.privacy')}</legend>
        <div className="row">
          <Select id="mechanism" label={t('qb.mechanism')} value={mechanism} onChange={set('mechanism')} options={['none', 'laplace', 'gaussian'].map((m) => ({ value: m, label: t(`mechanisms.${m}`) }))} />
          {mechanism !== 'none' && <Field label="ε (epsilon)" value={epsilon} onChange={set('epsilon')} />}
          {mechanism === 'gaussian' && <Field label="δ (delta)" value={delta} onChange={set('delta')} />}
        </div>
      </fieldset>
      <details>
        <summary>{t('qb.preview')}</summary>
        <pre>{JSON.stringify(query(), null, 2)}</pre>
      </details>
      <Button isDisabled={action.busy || chosen.length === 0} onPress={() => void submit()}>
        {t('qb.run')}
      </Button>
      <ProblemBox error={action.error} />
    </Section>
  );
}
