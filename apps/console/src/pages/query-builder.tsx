import { useMemo, useState } from 'react';
import { Checkbox } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { get, Json, Page, post } from '../api';
import { Button, Field, Loading, ProblemBox, Section, Select, useAsyncAction, useLoad } from '../components';

const OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'between'];

interface Filter {
  column: string;
  op: string;
  value: string;
}
interface Group {
  column: string;
  bins: string;
}

/** A short alias the API accepts (`^[a-z][a-z0-9_]{0,15}$`), from the dataset's name. */
function aliasOf(name: string, taken: Set<string>): string {
  let base = name.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z]+/, '').slice(0, 14) || 'd';
  let alias = base;
  for (let i = 2; taken.has(alias); i++) alias = `${base.slice(0, 13)}${i}`;
  taken.add(alias);
  return alias;
}

function parseValue(op: string, raw: string): unknown {
  const one = (s: string) => (s.trim() === 'true' ? true : s.trim() === 'false' ? false : s.trim() !== '' && !Number.isNaN(Number(s)) ? Number(s) : s.trim());
  if (op === 'in' || op === 'between') return raw.split(',').map(one);
  return one(raw);
}

/** Builds a declarative query from the use case's granted columns; every refusal is explained in words. */
export function QueryBuilder({ useCase, onSubmitted }: { useCase: Json; onSubmitted: (id: string) => void }) {
  const { t } = useTranslation();
  const catalogue = useLoad(() => get<Page<Json>>('/api/v1/datasets?limit=200'), []);
  const datasets = useMemo(() => {
    const taken = new Set<string>();
    return (useCase.requestedDatasets as Json[]).map((r) => {
      const d = catalogue.data?.items.find((x) => x.id === r.datasetId);
      return { id: r.datasetId, name: d?.name ?? r.datasetId.slice(0, 8), kind: d?.kind ?? 'person', alias: aliasOf(d?.name ?? 'd', taken), columns: (d?.columns ?? []).filter((c: Json) => r.columns.includes(c.name)) as Json[] };
    });
  }, [catalogue.data, useCase]);
  const [selected, setSelected] = useState<string[]>([]);
  const [filters, setFilters] = useState<Filter[]>([]);
  const [groups, setGroups] = useState<Group[]>([{ column: '', bins: '' }]);
  const [count, setCount] = useState(true);
  const [sumOf, setSumOf] = useState('');
  const [meanOf, setMeanOf] = useState('');
  const [ratePer, setRatePer] = useState('');
  const [rateScale, setRateScale] = useState('1000');
  const [joinLeft, setJoinLeft] = useState('');
  const [totals, setTotals] = useState(false);
  const [mechanism, setMechanism] = useState('none');
  const [epsilon, setEpsilon] = useState('0.5');
  const [delta, setDelta] = useState('0.000001');
  const action = useAsyncAction();

  if (!catalogue.data) return <Loading error={catalogue.error} />;
  const chosen = datasets.filter((d) => selected.includes(d.id));
  const columns = chosen.flatMap((d) => d.columns.map((c) => ({ value: `${d.alias}.${c.name}`, label: `${c.name} (${d.name})`, column: c, dataset: d })));
  const personColumns = columns.filter((c) => c.dataset.kind === 'person');
  const numeric = personColumns.filter((c) => ['integer', 'number'].includes(c.column.type));
  const reference = chosen.find((d) => d.kind === 'reference');
  const referenceKey = reference?.columns.find((c) => c.role === 'reference_key');
  const refNumeric = columns.filter((c) => c.dataset.kind === 'reference' && ['integer', 'number'].includes(c.column.type));
  const none = { value: '', label: '—' };

  const query = () => {
    const measures: Json[] = [];
    if (count) measures.push({ fn: 'count' });
    if (sumOf) measures.push({ fn: 'sum', column: sumOf });
    if (meanOf) measures.push({ fn: 'mean', column: meanOf });
    if (ratePer) measures.push({ fn: 'rate', of: 'count', per: ratePer, scale: Number(rateScale) });
    const left = joinLeft || personColumns.find((c) => c.column.categories && referenceKey?.categories && c.column.categories.length === referenceKey.categories.length)?.value;
    return {
      datasets: chosen.map((d) => ({ datasetId: d.id, as: d.alias })),
      where: filters.filter((f) => f.column).map((f) => ({ column: f.column, op: f.op, value: parseValue(f.op, f.value) })),
      groupBy: groups.filter((g) => g.column).map((g) => (g.bins.trim() ? { column: g.column, bins: g.bins.split(',').map(Number) } : g.column)),
      measures,
      join: reference && referenceKey && left ? [{ left, right: `${reference.alias}.${referenceKey.name}` }] : [],
      totals,
      privacy: mechanism === 'none' ? { mechanism } : { mechanism, epsilon: Number(epsilon), ...(mechanism === 'gaussian' ? { delta: Number(delta) } : {}) },
    };
  };
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
          <Checkbox key={d.id} className="check" isSelected={selected.includes(d.id)} onChange={(on) => setSelected(on ? [...selected, d.id] : selected.filter((x) => x !== d.id))}>
            <span className="box" aria-hidden="true" /> {d.name} <span className="hint">({t(`kind.${d.kind}`)})</span>
          </Checkbox>
        ))}
      </fieldset>
      {reference && (
        <Select id="join-left" label={t('qb.joinOn', { ref: reference.name })} value={joinLeft} onChange={setJoinLeft} options={[{ value: '', label: t('qb.joinAuto') }, ...personColumns.map(({ value, label }) => ({ value, label }))]} />
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
        <Checkbox className="check" isSelected={count} onChange={setCount}>
          <span className="box" aria-hidden="true" /> {t('qb.count')}
        </Checkbox>
        <div className="row">
          <Select id="sum-of" label={t('qb.sumOf')} value={sumOf} onChange={setSumOf} options={[none, ...numeric.map(({ value, label }) => ({ value, label }))]} />
          <Select id="mean-of" label={t('qb.meanOf')} value={meanOf} onChange={setMeanOf} options={[none, ...numeric.map(({ value, label }) => ({ value, label }))]} />
        </div>
        {refNumeric.length > 0 && (
          <div className="row">
            <Select id="rate-per" label={t('qb.ratePer')} value={ratePer} onChange={setRatePer} options={[none, ...refNumeric.map(({ value, label }) => ({ value, label }))]} />
            <Field label={t('qb.rateScale')} value={rateScale} onChange={setRateScale} />
          </div>
        )}
        <Checkbox className="check" isSelected={totals} onChange={setTotals}>
          <span className="box" aria-hidden="true" /> {t('qb.totals')}
        </Checkbox>
      </fieldset>
      <fieldset>
        <legend>{t('qb.privacy')}</legend>
        <div className="row">
          <Select id="mechanism" label={t('qb.mechanism')} value={mechanism} onChange={setMechanism} options={['none', 'laplace', 'gaussian'].map((m) => ({ value: m, label: t(`mechanisms.${m}`) }))} />
          {mechanism !== 'none' && <Field label="ε (epsilon)" value={epsilon} onChange={setEpsilon} />}
          {mechanism === 'gaussian' && <Field label="δ (delta)" value={delta} onChange={setDelta} />}
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
