import { useState } from 'react';
import { Checkbox } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { get, Json, Page, post } from '../api';
import { Button, DateText, Field, Loading, ProblemBox, Section, Status, useAsyncAction, useLoad } from '../components';
import { go } from '../router';
import { useSession } from '../session';
import { QueryBuilder } from './query-builder';
import { ComputationView } from './result';
import { Conditions } from './shared';

export function UseCasesPage() {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => get<Page<Json>>('/api/v1/use-cases?limit=200'), []);
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t('research.useCases')}</h1>
      <p>
        <a className="btn btn-primary" href="#/use-cases/new">
          {t('research.newUseCase')}
        </a>
      </p>
      {!data ? (
        <Loading error={error} />
      ) : (
        <ul className="cards">
          {data.items.map((u) => (
            <li key={u.id} className="card">
              <h2>
                <a href={`#/use-cases/${u.id}`}>{u.title}</a>
              </h2>
              <Status value={u.status} />
              <p>{u.purpose}</p>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

export function NewUseCasePage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const catalogue = useLoad(() => get<Page<Json>>('/api/v1/datasets?limit=200'), []);
  const [title, setTitle] = useState('');
  const [purpose, setPurpose] = useState('');
  const [publicInterest, setPublicInterest] = useState('');
  const [picked, setPicked] = useState<Record<string, string[]>>({});
  const action = useAsyncAction();
  const toggle = (datasetId: string, column: string, on: boolean) => {
    const cols = new Set(picked[datasetId] ?? []);
    if (on) cols.add(column);
    else cols.delete(column);
    setPicked({ ...picked, [datasetId]: [...cols] });
  };
  const create = (submit: boolean) =>
    action.run(async () => {
      const now = Date.now();
      const created = await post<Json>('/api/v1/use-cases', {
        title,
        purpose,
        publicInterest,
        requestedDatasets: Object.entries(picked).filter(([, c]) => c.length).map(([datasetId, columns]) => ({ datasetId, columns })),
        teamUserIds: [me!.id],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 365 * 86400_000).toISOString(),
      });
      if (submit) await post(`/api/v1/use-cases/${created.id}/submit`);
      go(`/use-cases/${created.id}`);
    });
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t('research.newUseCase')}</h1>
      <Field label={t('research.title')} value={title} onChange={setTitle} />
      <Field label={t('research.purpose')} value={purpose} onChange={setPurpose} multiline />
      <Field label={t('research.publicInterest')} value={publicInterest} onChange={setPublicInterest} multiline />
      <h2>{t('research.requestedData')}</h2>
      {!catalogue.data ? (
        <Loading error={catalogue.error} />
      ) : (
        catalogue.data.items.map((d) => (
          <fieldset key={d.id} className="column">
            <legend>
              {d.name} — {d.description}
            </legend>
            {d.columns
              .filter((c: Json) => c.role !== 'linkage_key')
              .map((c: Json) => (
                <Checkbox key={c.name} isSelected={(picked[d.id] ?? []).includes(c.name)} onChange={(on) => toggle(d.id, c.name, on)} className="check">
                  <span className="box" aria-hidden="true" /> {c.name}
                </Checkbox>
              ))}
          </fieldset>
        ))
      )}
      <div className="actions">
        <Button kind="secondary" isDisabled={action.busy} onPress={() => void create(false)}>
          {t('research.saveDraft')}
        </Button>
        <Button isDisabled={action.busy} onPress={() => void create(true)}>
          {t('research.submitToCommittee')}
        </Button>
      </div>
      <ProblemBox error={action.error} />
    </main>
  );
}

export function UseCasePage({ id, computationId }: { id: string; computationId?: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const useCase = useLoad(() => get<Json>(`/api/v1/use-cases/${id}`), [id]);
  const computations = useLoad(() => get<Page<Json>>(`/api/v1/use-cases/${id}/computations?limit=50`), [id, computationId]);
  const budget = useLoad(() => get<Json>(`/api/v1/use-cases/${id}/budget`), [id, computationId]);
  const submit = useAsyncAction();
  const u = useCase.data;
  if (!u) return <main id="main"><Loading error={useCase.error} /></main>;
  const onTeam = !!me && u.teamUserIds.includes(me.id);
  return (
    <main id="main" tabIndex={-1}>
      <p>
        <a href="#/use-cases">← {t('research.useCases')}</a>
      </p>
      <h1>{u.title}</h1>
      <p className="meta">
        <Status value={u.status} />
      </p>
      <div className="grid2">
        <Section title={t('research.about')} id="about">
          <p>{u.purpose}</p>
          <h3>{t('research.conditions')}</h3>
          <Conditions conditions={u.conditions} />
          {['draft', 'changes_requested'].includes(u.status) && onTeam && (
            <>
              <Button isDisabled={submit.busy} onPress={() => void submit.run(() => post(`/api/v1/use-cases/${id}/submit`)).then(useCase.reload)}>
                {t('research.submitToCommittee')}
              </Button>
              <ProblemBox error={submit.error} />
            </>
          )}
        </Section>
        <Section title={t('research.budget')} id="budget">
          {!budget.data ? (
            <Loading error={budget.error} />
          ) : (
            <dl className="terms">
              <dt>{t('research.computationsUsed')}</dt>
              <dd>
                {budget.data.computationsUsed} / {budget.data.computationsMax}
              </dd>
              <dt>{t('research.epsilon')}</dt>
              <dd>{budget.data.epsilonTotal ? `${budget.data.epsilonSpent} / ${budget.data.epsilonTotal}` : t('research.noDp')}</dd>
            </dl>
          )}
        </Section>
      </div>
      {computationId && <ComputationView id={computationId} useCaseId={id} onSettled={() => (computations.reload(), budget.reload())} />}
      {u.status === 'active' && onTeam && <QueryBuilder useCase={u} onSubmitted={(cid) => go(`/use-cases/${id}/computations/${cid}`)} />}
      <Section title={t('research.computations')} id="computations">
        {!computations.data ? (
          <Loading error={computations.error} />
        ) : computations.data.items.length === 0 ? (
          <p>{t('research.noComputation')}</p>
        ) : (
          <table>
            <caption className="sr-only">{t('research.computations')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('research.submitted')}</th>
                <th scope="col">{t('research.groupedBy')}</th>
                <th scope="col">{t('research.state')}</th>
                <th scope="col">
                  <span className="sr-only">{t('research.open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {computations.data.items.map((c) => (
                <tr key={c.id} aria-current={c.id === computationId ? 'true' : undefined}>
                  <td>
                    <DateText value={c.createdAt} />
                  </td>
                  <td>{(c.query.groupBy ?? []).map((g: Json) => (typeof g === 'string' ? g : g.column)).join(' × ') || t('research.overall')}</td>
                  <td>
                    <Status value={c.status} />
                    {c.rejection && <div className="hint">{t(`problems.${c.rejection.code}`, { defaultValue: c.rejection.detail })}</div>}
                  </td>
                  <td>
                    <a href={`#/use-cases/${id}/computations/${c.id}`}>{t('research.open')}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </main>
  );
}
