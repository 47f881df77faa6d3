import { useEffect, useState } from 'react';
import { Radio, RadioGroup, Label } from 'react-aria-components';
import { compactVerify, createLocalJWKSet } from 'jose';
import { useTranslation } from 'react-i18next';
import { ApiError, get, Json, Page, post } from '../api';
import { Button, DateText, Field, Loading, ProblemBox, Section, Select, Status, useAsyncAction, useLoad } from '../components';
import { useSession } from '../session';
import { Conditions, useOrganisationNames } from './shared';

export function ReviewQueuePage() {
  const { t } = useTranslation();
  const queue = useLoad(() => get<Page<Json>>('/api/v1/use-cases?status=under_review&limit=200'), []);
  const decided = useLoad(() => get<Page<Json>>('/api/v1/use-cases?limit=200'), []);
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t('committee.queue')}</h1>
      <p className="lead">{t('committee.intro')}</p>
      {!queue.data ? (
        <Loading error={queue.error} />
      ) : queue.data.items.length === 0 ? (
        <p>{t('committee.empty')}</p>
      ) : (
        <ul className="cards">
          {queue.data.items.map((u) => (
            <li key={u.id} className="card">
              <h2>
                <a href={`#/committee/${u.id}`}>{u.title}</a>
              </h2>
              <p className="meta">
                {t('committee.round', { n: u.reviewRound })} · {t('committee.submitted')} <DateText value={u.submittedAt} />
              </p>
              <p>{u.purpose}</p>
            </li>
          ))}
        </ul>
      )}
      <Section title={t('committee.decided')} id="decided">
        <ul>
          {(decided.data?.items ?? [])
            .filter((u) => u.decision)
            .map((u) => (
              <li key={u.id}>
                <a href={`#/committee/${u.id}`}>{u.title}</a> <Status value={u.status} />
              </li>
            ))}
        </ul>
      </Section>
    </main>
  );
}

function useDecisionSignature(decision: Json): string {
  const [state, setState] = useState('checking');
  useEffect(() => {
    if (!decision?.signature) return;
    get<Json>('/.well-known/jwks.json')
      .then((jwks) => compactVerify(decision.signature, createLocalJWKSet(jwks)))
      .then(() => setState('valid'), () => setState('invalid'));
  }, [decision]);
  return state;
}

export function DossierPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const useCase = useLoad(() => get<Json>(`/api/v1/use-cases/${id}`), [id]);
  const orgs = useLoad(() => get<Page<Json>>('/api/v1/organisations?limit=200'), []);
  const catalogue = useLoad(() => get<Page<Json>>('/api/v1/datasets?limit=200'), []);
  const orgName = useOrganisationNames(orgs.data?.items);
  const [decision, setDecision] = useState('approve');
  const [comment, setComment] = useState('');
  const [minCellSize, setMinCellSize] = useState('');
  const [rounding, setRounding] = useState('');
  const [maxEpsilon, setMaxEpsilon] = useState('');
  const [releaseMode, setReleaseMode] = useState('');
  const [maxDeviation, setMaxDeviation] = useState('');
  const [variance, setVariance] = useState('');
  const [crossA, setCrossA] = useState('');
  const [crossB, setCrossB] = useState('');
  const [voted, setVoted] = useState(false);
  const vote = useAsyncAction();
  const u = useCase.data;
  const signature = useDecisionSignature(u?.decision);
  if (!u) return <main id="main"><Loading error={useCase.error} /></main>;

  const datasetName = (did: string) => catalogue.data?.items.find((d) => d.id === did)?.name ?? did.slice(0, 8);
  const requested: { value: string; label: string }[] = u.requestedDatasets.flatMap((r: Json) => r.columns.map((c: string) => ({ value: `${datasetName(r.datasetId)}.${c}`, label: `${c} (${datasetName(r.datasetId)})` })));
  const affiliated = !!me && [u.requesterOrganisationId, ...u.providerOrganisationIds].includes(me.organisationId);
  const recusedError = vote.error instanceof ApiError && vote.error.problem.code === 'recused';

  const cast = () =>
    vote.run(async () => {
      const conditions: Json = {};
      if (minCellSize) conditions.minCellSize = Number(minCellSize);
      if (rounding) conditions.rounding = Number(rounding);
      if (maxEpsilon) conditions.maxEpsilon = Number(maxEpsilon);
      if (releaseMode) conditions.releaseMode = releaseMode;
      if (maxDeviation || variance) conditions.perturbation = { ...(maxDeviation ? { maxDeviation: Number(maxDeviation) } : {}), ...(variance ? { variance: Number(variance) } : {}) };
      if (crossA && crossB) conditions.forbiddenGroupBy = [[crossA, crossB]];
      else if (crossA) conditions.forbiddenGroupBy = [[crossA]];
      await post(`/api/v1/use-cases/${id}/votes`, { decision, comment, ...(decision === 'approve' && Object.keys(conditions).length ? { conditions } : {}) });
      setVoted(true);
      useCase.reload();
    });

  return (
    <main id="main" tabIndex={-1}>
      <p>
        <a href="#/committee">← {t('committee.queue')}</a>
      </p>
      <h1>{u.title}</h1>
      <p className="meta">
        <Status value={u.status} /> · {t('committee.round', { n: u.reviewRound })}
      </p>
      <div className="grid2">
        <Section title={t('committee.dossier')} id="dossier">
          <h3>{t('research.purpose')}</h3>
          <p>{u.purpose}</p>
          <h3>{t('research.publicInterest')}</h3>
          <p>{u.publicInterest}</p>
          <h3>{t('committee.parties')}</h3>
          <p>
            <strong>{t('register.requester')}</strong>{t('common.colon')}{orgName(u.requesterOrganisationId)}
          </p>
          <p>
            <strong>{t('register.providers')}</strong>{t('common.colon')}{u.providerOrganisationIds.map(orgName).join(', ')}
          </p>
          <h3>{t('committee.team')}</h3>
          <p>{t('committee.teamText', { n: u.teamUserIds.length })}</p>
          <h3>{t('committee.period')}</h3>
          <p>
            <DateText value={u.startsAt} /> → <DateText value={u.endsAt} />
          </p>
        </Section>
        <Section title={t('committee.requestedData')} id="requested">
          <ul>
            {u.requestedDatasets.map((r: Json) => (
              <li key={r.datasetId}>
                <strong>{datasetName(r.datasetId)}</strong>{t('common.colon')}{r.columns.join(', ')}
              </li>
            ))}
          </ul>
          <p className="hint">{t('committee.onlyAggregates')}</p>
        </Section>
      </div>
      {u.decision && (
        <Section title={t('committee.decision')} id="decision">
          <p>
            <Status value={u.decision.outcome} /> — <DateText value={u.decision.decidedAt} />
          </p>
          <Conditions conditions={u.decision.conditions} />
          <p className={`signature-${signature}`}>{signature === 'valid' ? `✓ ${t('committee.signatureValid')}` : signature === 'invalid' ? `✗ ${t('result.signatureInvalid')}` : t('result.signatureChecking')}</p>
        </Section>
      )}
      {u.status === 'under_review' && (
        <Section title={t('committee.vote')} id="vote">
          {affiliated && (
            <p className="warning" role="note">
              {t('committee.recusalWarning')}
            </p>
          )}
          {voted ? (
            <p className="ok" role="status">
              {t('committee.voted')}
            </p>
          ) : (
            <>
              <RadioGroup value={decision} onChange={setDecision} className="radios">
                <Label>{t('committee.yourDecision')}</Label>
                {['approve', 'request_changes', 'reject'].map((d) => (
                  <Radio key={d} value={d} className="radio">
                    {t(`decisions.${d}`)}
                  </Radio>
                ))}
              </RadioGroup>
              <Field label={t('committee.comment')} value={comment} onChange={setComment} multiline description={t('committee.commentHint')} />
              {decision === 'approve' && (
                <fieldset>
                  <legend>{t('committee.conditions')}</legend>
                  <p className="hint">{t('committee.conditionsHint')}</p>
                  <div className="row">
                    <Field label={t('committee.minCellSize')} value={minCellSize} onChange={setMinCellSize} description={t('committee.minCellSizeHint')} />
                    <Field label={t('committee.rounding')} value={rounding} onChange={setRounding} description={t('committee.roundingHint')} />
                    <Field label={t('committee.maxEpsilon')} value={maxEpsilon} onChange={setMaxEpsilon} description={t('committee.maxEpsilonHint')} />
                  </div>
                  <div className="row">
                    <Select id="cross-a" label={t('committee.forbidA')} value={crossA} onChange={setCrossA} options={[{ value: '', label: '—' }, ...requested]} />
                    <Select id="cross-b" label={t('committee.forbidB')} value={crossB} onChange={setCrossB} options={[{ value: '', label: '—' }, ...requested]} />
                  </div>
                  <fieldset className="nested">
                    <legend>{t('committee.perturbation')}</legend>
                    <p className="hint">{t('committee.perturbationExplained')}</p>
                    <div className="row">
                      <Field label={t('committee.maxDeviation')} value={maxDeviation} onChange={setMaxDeviation} description={t('committee.maxDeviationHint')} name="maxDeviation" />
                      <Field label={t('committee.variance')} value={variance} onChange={setVariance} description={t('committee.varianceHint')} name="variance" />
                    </div>
                  </fieldset>
                  <Select id="release-mode" label={t('committee.releaseMode')} value={releaseMode} onChange={setReleaseMode} options={[{ value: '', label: t('committee.releaseDefault') }, { value: 'automatic', label: t('conditions.release_automatic') }, { value: 'provider_review', label: t('conditions.release_provider_review') }]} />
                </fieldset>
              )}
              <Button isDisabled={vote.busy} onPress={() => void cast()}>
                {t('committee.castVote')}
              </Button>
              {recusedError ? (
                <div role="alert" className="problem">
                  <strong>{t('committee.recusedTitle')}</strong>
                  <p>{t('committee.recusedText')}</p>
                </div>
              ) : (
                <ProblemBox error={vote.error} />
              )}
            </>
          )}
        </Section>
      )}
    </main>
  );
}
