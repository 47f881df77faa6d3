import { useEffect, useMemo, useState } from 'react';
import { compactVerify, createLocalJWKSet } from 'jose';
import { useTranslation } from 'react-i18next';
import { get, getText, Json } from '../api';
import { Button, Loading, ProblemBox, Section, Select, Status, useAsyncAction } from '../components';
import { BarChart, COMMUNE_CODES, COMMUNE_NAMES, HeraultMap } from './map';
import { prettyColumn } from './shared';
import { suppressionReasons } from '../logic/map-cells';
import { measureLabel } from '../logic/measures';

const FINAL = new Set(['released', 'pending_release', 'rejected', 'failed', 'cancelled']);

/** Long-polls the computation until it leaves the queue. */
function useComputation(id: string, onSettled?: () => void) {
  const [data, setData] = useState<Json>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    setData(undefined);
    (async () => {
      for (let i = 0; live && i < 40; i++) {
        const c = await get<Json>(`/api/v1/computations/${id}${i ? '?wait=30' : ''}`);
        if (!live) return;
        setData(c);
        if (FINAL.has(c.status)) return onSettled?.();
      }
    })().catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [id]);
  return { data, error };
}

function useSignature(result: Json, computationId: string): 'checking' | 'valid' | 'invalid' {
  const [state, setState] = useState<'checking' | 'valid' | 'invalid'>('checking');
  useEffect(() => {
    if (!result?.signature) return;
    (async () => {
      const jwks = await get<Json>('/.well-known/jwks.json');
      const { payload } = await compactVerify(result.signature, createLocalJWKSet(jwks));
      const signed = JSON.parse(new TextDecoder().decode(payload));
      setState(signed.computationId === computationId && JSON.stringify(signed.rows?.length) === JSON.stringify(result.rows.length) ? 'valid' : 'invalid');
    })().catch(() => setState('invalid'));
  }, [result, computationId]);
  return state;
}

const isMeasure = (c: string, groupLabels: string[]) => !groupLabels.includes(c);

/** Measure labels in the reader's language (see logic/measures). */
function useMeasureLabel() {
  const { t, i18n } = useTranslation();
  return (m: string) => measureLabel(t, m, i18n.language);
}

export function ComputationView({ id, useCaseId, onSettled }: { id: string; useCaseId: string; onSettled?: () => void }) {
  const { t, i18n } = useTranslation();
  const { data: c, error } = useComputation(id, onSettled);
  const result = c?.result;
  const signature = useSignature(result, id);
  const download = useAsyncAction();
  const measureLabel = useMeasureLabel();
  const groupLabels: string[] = useMemo(() => (c?.query.groupBy ?? []).map((g: Json) => (typeof g === 'string' ? g : g.column)), [c]);
  const measures: string[] = result ? result.columns.filter((col: string) => isMeasure(col, groupLabels)) : [];
  const [measure, setMeasure] = useState('');
  const [others, setOthers] = useState<Record<string, string>>({});
  const [showAll, setShowAll] = useState(false);
  const m = measure || measures.find((x) => x.startsWith('rate')) || measures[0];

  if (!c) return <Loading error={error} />;
  const rows: Json[] = result?.rows ?? [];
  const communeColumn = groupLabels.find((g) => rows.length > 0 && rows.filter((r) => r[g] !== '*').every((r) => COMMUNE_CODES.has(String(r[g]))));
  const otherGroups = groupLabels.filter((g) => g !== communeColumn);
  const valuesOf = (g: string) => [...new Set(rows.map((r) => String(r[g])))];
  const pick = (g: string) => others[g] ?? valuesOf(g)[0];
  const slice = rows.filter((r) => otherGroups.every((g) => String(r[g]) === pick(g)));

  const saveCsv = () =>
    download.run(async () => {
      const csv = await getText(`/api/v1/computations/${id}/result.csv`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      a.download = `cadre-${useCaseId.slice(0, 8)}-${id.slice(0, 8)}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
    });

  return (
    <Section title={t('result.title')} id="result">
      <p>
        <Status value={c.status} />
      </p>
      {c.rejection && (
        <div role="alert" className="problem">
          <strong>{t(`problems.${c.rejection.code}`, { defaultValue: t('problems.generic') })}</strong>
          <p className="detail">
            {t('problems.serverSays')} {t('common.quoted', { text: c.rejection.detail })}
          </p>
        </div>
      )}
      {c.status === 'failed' && <p role="alert">{t('result.failed')}</p>}
      {result && (
        <>
          <div className="disclosure" role="note" aria-label={t('result.disclosure')}>
            <p>
              <strong>{t('result.disclosure')}</strong>{t('common.colon')}{t('result.disclosureText', { min: result.disclosure.minCellSize, primary: result.disclosure.primarySuppressed, secondary: result.disclosure.secondarySuppressed })}
              {result.disclosure.rounding ? ` ${t('result.rounding', { n: result.disclosure.rounding })}` : ''}
              {result.disclosure.perturbation ? ` ${t('result.perturbation', { n: result.disclosure.perturbation.maxDeviation })}` : ''}
              {result.privacy?.mechanism !== 'none' ? ` ${t('result.dp', { epsilon: result.privacy.epsilonSpent })}` : ''}
            </p>
            {result.datasetVersions && (
              <p className="hint">{t('result.versions', { list: result.datasetVersions.map((v: Json) => `v${v.version}`).join(', ') })}</p>
            )}
            <p className={`signature-${signature}`} data-testid="signature">
              {signature === 'valid' ? `✓ ${t('result.signatureValid')}` : signature === 'invalid' ? `✗ ${t('result.signatureInvalid')}` : t('result.signatureChecking')}
            </p>
          </div>
          <div className="row">
            {measures.length > 1 && <Select id="measure" label={t('result.measure')} value={m} onChange={setMeasure} options={measures.map((x) => ({ value: x, label: measureLabel(x) }))} />}
            {otherGroups.map((g) => (
              <Select key={g} id={`slice-${g}`} label={prettyColumn(g)} value={pick(g)} onChange={(v) => setOthers({ ...others, [g]: v })} options={valuesOf(g).map((v) => ({ value: v, label: v === '*' ? t('result.all') : v }))} />
            ))}
            {c.status === 'released' && (
              <Button kind="secondary" onPress={() => void saveCsv()} isDisabled={download.busy}>
                {t('result.csv')}
              </Button>
            )}
          </div>
          <ProblemBox error={download.error} />
          {communeColumn && (
            <figure className="map-figure">
              <HeraultMap label={measureLabel(m)} minCellSize={result.disclosure.minCellSize} cells={slice.filter((r) => r[communeColumn] !== '*').map((r) => ({ code: String(r[communeColumn]), value: r[m] == null ? null : Number(r[m]), suppressed: !!r.suppressed, reason: r.reason }))} />
              <figcaption>
                <span className="legend-hatch" aria-hidden="true" /> {t('result.hatched')} {suppressionReasons(t, rows, result.disclosure.minCellSize).join(' ; ')}.
                <span className="legend-empty" aria-hidden="true" /> {t('result.noDataLegend')}
                <br />
                <small className="attribution">{t('result.attribution')} IGN Admin Express, via france-geojson (Licence Ouverte / Etalab).</small>
              </figcaption>
            </figure>
          )}
          {groupLabels.length > 0 && (
            <BarChart label={measureLabel(m)} rows={slice.filter((r) => r[communeColumn ?? groupLabels[0]] !== '*').map((r) => ({ key: communeColumn ? `${COMMUNE_NAMES.get(String(r[communeColumn])) ?? ''} (${r[communeColumn]})` : String(r[groupLabels[0]]), value: r[m] == null ? null : Number(r[m]), suppressed: !!r.suppressed }))} />
          )}
          <table className="result">
            <caption>{t('result.table', { n: rows.length })}</caption>
            <thead>
              <tr>
                {result.columns.map((col: string) => (
                  <th scope="col" key={col}>
                    {groupLabels.includes(col) ? prettyColumn(col) : measureLabel(col)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(showAll ? rows : rows.slice(0, 30)).map((r, i) => (
                <tr key={i} className={r.suppressed ? 'suppressed' : undefined}>
                  {result.columns.map((col: string) => (
                    <td key={col}>{groupLabels.includes(col) ? (r[col] === '*' ? t('result.all') : col === communeColumn ? `${r[col]} ${COMMUNE_NAMES.get(String(r[col])) ?? ''}` : String(r[col])) : r.suppressed ? <span className="secret">{t('result.secret')} — {t(`reasons.${r.reason ?? 'min_cell_size'}`, { min: result.disclosure.minCellSize })}</span> : Number(r[col]).toLocaleString(i18n.language)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length > 30 && !showAll && (
            <Button kind="secondary" onPress={() => setShowAll(true)}>
              {t('result.showAll', { n: rows.length })}
            </Button>
          )}
        </>
      )}
    </Section>
  );
}
