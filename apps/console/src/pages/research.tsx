import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, Json, Page, post } from '../api';
import { Button, DateText, Loading, ProblemBox, Section, Status, useAsyncAction, useLoad } from '../components';
import { go } from '../router';
import { hasRole, useSession } from '../session';
import { AmendUseCase, draftOf, EditUseCase, requestedOf, UseCaseFields } from './use-case-form';
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
  const [draft, setDraft] = useState(() => draftOf());
  const action = useAsyncAction();
  const create = (submit: boolean) =>
    action.run(async () => {
      const now = Date.now();
      const created = await post<Json>('/api/v1/use-cases', {
        title: draft.title,
        purpose: draft.purpose,
        publicInterest: draft.publicInterest,
        requestedDatasets: requestedOf(draft),
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
      <UseCaseFields draft={draft} onChange={setDraft} />
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
  const u = useCase.data;
  if (!u) return <main id="main"><Loading error={useCase.error} /></main>;
  const onTeam = !!me && u.teamUserIds.includes(me.id);
  // The owner (the requesting organisation's team member or admin) edits, submits and amends.
  const owner = !!me && me.organisationId === u.requesterOrganisationId && (onTeam || hasRole(me, 'org_admin'));
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
      {['draft', 'changes_requested'].includes(u.status) && owner && <EditUseCase key={u.updatedAt} useCase={u} onDone={useCase.reload} />}
      {['approved', 'active'].includes(u.status) && owner && <AmendUseCase key={u.updatedAt} useCase={u} onDone={useCase.reload} />}
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
