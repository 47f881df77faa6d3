import { useState } from 'react';
import { ProgressBar, Label } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { get, Json, Page, post, uploadCsv } from '../api';
import { Button, DateText, Field, Loading, ProblemBox, Section, Select, useAsyncAction, useLoad } from '../components';
import { go } from '../router';
import { DatasetVersions } from './dataset-quality';
import { rowErrorInWords } from '../logic/row-errors';
import { useSession } from '../session';

/** Results of use cases this organisation provides data to, held for its review (the airlock). */
async function pendingReleases(organisationId: string): Promise<Json[]> {
  const useCases = await get<Page<Json>>('/api/v1/use-cases?limit=200');
  const lists = await Promise.all(
    useCases.items
      .filter((u) => u.providerOrganisationIds.includes(organisationId))
      .map((u) => get<Page<Json>>(`/api/v1/use-cases/${u.id}/computations?limit=200`).then((p) => p.items.filter((c) => c.status === 'pending_release' && !(c.releasedBy ?? []).includes(organisationId)).map((c) => ({ ...c, useCaseTitle: u.title }))).catch(() => [])),
  );
  return lists.flat();
}

function Airlock() {
  const { t } = useTranslation();
  const { me } = useSession();
  const pending = useLoad(() => pendingReleases(me!.organisationId), [me]);
  const release = useAsyncAction();
  return (
    <Section title={t('steward.airlock', { n: pending.data?.length ?? 0 })} id="airlock">
      <p className="hint">{t('steward.airlockIntro')}</p>
      {!pending.data ? (
        <Loading error={pending.error} />
      ) : pending.data.length === 0 ? (
        <p>{t('steward.airlockEmpty')}</p>
      ) : (
        <ul>
          {pending.data.map((c) => (
            <li key={c.id}>
              <a href={`#/use-cases/${c.useCaseId}/computations/${c.id}`}>
                {c.useCaseTitle} — <DateText value={c.createdAt} />
              </a>{' '}
              <Button isDisabled={release.busy} onPress={() => void release.run(() => post(`/api/v1/computations/${c.id}/release`)).then(pending.reload)}>
                {t('steward.release')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ProblemBox error={release.error} />
    </Section>
  );
}

export function CataloguePage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const { data, error } = useLoad(() => get<Page<Json>>('/api/v1/datasets?limit=200'), []);
  const mine = (data?.items ?? []).filter((d) => d.organisationId === me?.organisationId);
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t('steward.catalogue')}</h1>
      <p className="lead">{t('steward.intro')}</p>
      <p>
        <a className="btn btn-primary" href="#/datasets/new">
          {t('steward.register')}
        </a>
      </p>
      {!data ? (
        <Loading error={error} />
      ) : (
        <table>
          <caption className="sr-only">{t('steward.catalogue')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('steward.name')}</th>
              <th scope="col">{t('steward.kind')}</th>
              <th scope="col">{t('steward.version')}</th>
              <th scope="col">{t('steward.rows')}</th>
            </tr>
          </thead>
          <tbody>
            {mine.map((d) => (
              <tr key={d.id}>
                <td>
                  <a href={`#/datasets/${d.id}`}>{d.name}</a>
                  <div className="hint">{d.description}</div>
                </td>
                <td>{t(`kind.${d.kind}`)}</td>
                <td>{d.currentVersion ?? t('steward.noVersion')}</td>
                <td>{d.currentVersion ? `≈ ${d.rowCount.toLocaleString(i18n.language)}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Airlock />
    </main>
  );
}

interface ColumnDraft {
  name: string;
  type: string;
  role: string;
  min: string;
  max: string;
  categories: string;
}
const TYPES = ['integer', 'number', 'text', 'date', 'boolean', 'category'];
const ROLES = ['linkage_key', 'quasi_identifier', 'sensitive', 'attribute', 'reference_key'];

export function NewDatasetPage() {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [columns, setColumns] = useState<ColumnDraft[]>([{ name: '', type: 'text', role: 'linkage_key', min: '', max: '', categories: '' }]);
  const action = useAsyncAction();
  const set = (i: number, patch: Partial<ColumnDraft>) => setColumns(columns.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const submit = () =>
    action.run(async () => {
      const body = {
        name,
        description,
        columns: columns.map((c) => ({
          name: c.name,
          type: c.type,
          role: c.role,
          ...(c.min !== '' ? { min: Number(c.min) } : {}),
          ...(c.max !== '' ? { max: Number(c.max) } : {}),
          ...(c.type === 'category' ? { categories: c.categories.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
        })),
      };
      const created = await post<Json>('/api/v1/datasets', body);
      go(`/datasets/${created.id}`);
    });
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t('steward.register')}</h1>
      <p className="lead">{t('steward.registerIntro')}</p>
      <Field label={t('steward.name')} value={name} onChange={setName} description={t('steward.nameHint')} />
      <Field label={t('steward.description')} value={description} onChange={setDescription} />
      <h2>{t('steward.columns')}</h2>
      {columns.map((c, i) => (
        <fieldset key={i} className="column">
          <legend>{t('steward.column', { n: i + 1 })}</legend>
          <Field label={t('steward.columnName')} value={c.name} onChange={(v) => set(i, { name: v })} />
          <Select id={`type-${i}`} label={t('steward.type')} value={c.type} onChange={(v) => set(i, { type: v })} options={TYPES.map((v) => ({ value: v, label: t(`types.${v}`) }))} />
          <Select id={`role-${i}`} label={t('steward.role')} value={c.role} onChange={(v) => set(i, { role: v })} options={ROLES.map((v) => ({ value: v, label: t(`columnRoles.${v}`) }))} />
          {(c.type === 'integer' || c.type === 'number') && (
            <>
              <Field label={t('steward.min')} value={c.min} onChange={(v) => set(i, { min: v })} />
              <Field label={t('steward.max')} value={c.max} onChange={(v) => set(i, { max: v })} />
            </>
          )}
          {c.type === 'category' && <Field label={t('steward.categories')} value={c.categories} onChange={(v) => set(i, { categories: v })} description={t('steward.categoriesHint')} />}
        </fieldset>
      ))}
      <div className="actions">
        <Button kind="secondary" onPress={() => setColumns([...columns, { name: '', type: 'text', role: 'attribute', min: '', max: '', categories: '' }])}>
          {t('steward.addColumn')}
        </Button>
        <Button isDisabled={action.busy} onPress={() => void submit()}>
          {t('steward.create')}
        </Button>
      </div>
      <ProblemBox error={action.error} />
    </main>
  );
}

export function DatasetPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const dataset = useLoad(() => get<Json>(`/api/v1/datasets/${id}`), [id]);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [upload, setUpload] = useState<Json>(null);
  const action = useAsyncAction();
  const d = dataset.data;

  const send = () =>
    action.run(async () => {
      setUpload(null);
      setProgress(0);
      const accepted = await uploadCsv(id, file!, setProgress);
      let state = await get<Json>(`/api/v1/datasets/${id}/uploads/${accepted.id}`);
      for (let i = 0; i < 600 && (state.status === 'queued' || state.status === 'running'); i++) {
        await new Promise((r) => setTimeout(r, 300));
        state = await get<Json>(`/api/v1/datasets/${id}/uploads/${accepted.id}`);
      }
      setUpload(state);
      dataset.reload();
    });

  if (!d) return <main id="main"><Loading error={dataset.error} /></main>;
  return (
    <main id="main" tabIndex={-1}>
      <p>
        <a href="#/datasets">← {t('steward.catalogue')}</a>
      </p>
      <h1>{d.name}</h1>
      <p className="lead">{d.description}</p>
      <Section title={t('steward.about')} id="about">
        <dl className="terms">
          <dt>{t('steward.version')}</dt>
          <dd>{d.currentVersion ? t('steward.versionN', { n: d.currentVersion }) : t('steward.noVersion')}</dd>
          <dt>{t('steward.rows')}</dt>
          <dd>{d.currentVersion ? t('steward.rowsRounded', { n: d.rowCount.toLocaleString(i18n.language) }) : '—'}</dd>
          <dt>{t('steward.registered')}</dt>
          <dd>
            <DateText value={d.createdAt} />
          </dd>
        </dl>
        <table>
          <caption>{t('steward.columns')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('steward.columnName')}</th>
              <th scope="col">{t('steward.type')}</th>
              <th scope="col">{t('steward.role')}</th>
              <th scope="col">{t('steward.domain')}</th>
            </tr>
          </thead>
          <tbody>
            {d.columns.map((c: Json) => (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td>{t(`types.${c.type}`)}</td>
                <td>{t(`columnRoles.${c.role}`)}</td>
                <td>{c.categories ? t('steward.nCategories', { n: c.categories.length }) : c.min !== undefined ? `${c.min} – ${c.max}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <DatasetVersions id={id} currentVersion={d.currentVersion} />
      <Section title={t('steward.upload')} id="upload">
        <p>{t('steward.uploadIntro')}</p>
        <div className="field">
          <span id="csv-file-label" className="label">{t('steward.file')}</span>
          {/* The browser's own file button speaks the browser's language, not the console's: it is hidden, and a translated label opens it. */}
          <input id="csv-file" className="sr-only" type="file" accept=".csv,text/csv" aria-labelledby="csv-file-label" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          <span className="file-pick">
            <label htmlFor="csv-file" className="btn btn-secondary">
              {t('steward.choose')}
            </label>{' '}
            <span aria-live="polite">{file ? file.name : t('steward.noFile')}</span>
          </span>
        </div>
        <Button isDisabled={!file || action.busy} onPress={() => void send()}>
          {t('steward.send')}
        </Button>
        {progress !== null && (
          <ProgressBar value={progress * 100} className="progress">
            {({ percentage }) => (
              <>
                <Label>{t('steward.progress')}</Label> <span>{Math.round(percentage ?? 0)} %</span>
                <div className="bar">
                  <div className="fill" style={{ width: `${percentage}%` }} />
                </div>
              </>
            )}
          </ProgressBar>
        )}
        {upload?.status === 'succeeded' && (
          <p className="ok" role="status">
            {t('steward.accepted', { n: upload.rowsAccepted })}
          </p>
        )}
        {upload?.status === 'failed' && (
          <div role="alert" className="problem">
            <strong>{t('steward.refused', { n: upload.errorCount })}</strong>
            <table>
              <caption>{t('steward.errors')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('steward.line')}</th>
                  <th scope="col">{t('steward.columnName')}</th>
                  <th scope="col">{t('steward.problem')}</th>
                </tr>
              </thead>
              <tbody>
                {upload.errors.map((e: Json, i: number) => (
                  <tr key={i}>
                    <td>{e.line === 0 ? t('steward.wholeFile') : e.line}</td>
                    <td>{e.column ?? '—'}</td>
                    <td>{rowErrorInWords(t, e.message)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ProblemBox error={action.error} />
      </Section>
    </main>
  );
}
