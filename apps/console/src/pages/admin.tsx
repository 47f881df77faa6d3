import { useTranslation } from 'react-i18next';
import { get, Json, Page, post } from '../api';
import { Button, DateText, Loading, ProblemBox, Section, Status, useAsyncAction, useLoad } from '../components';
import { useSession } from '../session';
import { prettyColumn } from './shared';

/** Every contract the organisation is a party to, through the use cases it can see. */
async function contractsOf(organisationId: string): Promise<Json[]> {
  const useCases = await get<Page<Json>>('/api/v1/use-cases?limit=200');
  const lists = await Promise.all(
    useCases.items
      .filter((u) => u.requesterOrganisationId === organisationId || u.providerOrganisationIds.includes(organisationId))
      .map((u) => get<Page<Json>>(`/api/v1/use-cases/${u.id}/contracts`).then((p) => p.items.map((c) => ({ ...c, useCaseTitle: u.title }))).catch(() => [])),
  );
  return lists.flat().filter((c) => c.current !== false);
}

export function OrganisationPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const org = useLoad(() => get<Json>(`/api/v1/organisations/${me!.organisationId}`), [me]);
  const users = useLoad(() => get<Page<Json>>(`/api/v1/organisations/${me!.organisationId}/users?limit=200`), [me]);
  const adherences = useLoad(() => get<Page<Json> | Json[]>(`/api/v1/organisations/${me!.organisationId}/adherences`), [me]);
  const charter = useLoad(() => get<Json>('/api/v1/register/charter'), []);
  const contracts = useLoad(() => contractsOf(me!.organisationId), [me]);
  const adhere = useAsyncAction();
  const adherenceList: Json[] = Array.isArray(adherences.data) ? adherences.data : (adherences.data?.items ?? []);
  const current = adherenceList.find((a) => a.charterId === charter.data?.id);
  const toSign = (contracts.data ?? []).filter((c) => c.status === 'pending_signatures' && !(c.signatures ?? []).some((s: Json) => s.organisationId === me!.organisationId && !s.voidedAt));

  return (
    <main id="main" tabIndex={-1}>
      <h1>{org.data?.name ?? t('nav.organisation')}</h1>
      {org.data && (
        <p className="meta">
          {t(`college.${org.data.college}`)} · <Status value={org.data.status} />
        </p>
      )}
      <Section title={t('admin.toSign', { n: toSign.length })} id="to-sign">
        {!contracts.data ? (
          <Loading error={contracts.error} />
        ) : toSign.length === 0 ? (
          <p>{t('admin.nothingToSign')}</p>
        ) : (
          <ul>
            {toSign.map((c) => (
              <li key={c.id}>
                <a href={`#/contracts/${c.id}`}>{t('admin.contractWith', { title: c.useCaseTitle, provider: c.provider.name, requester: c.requester.name })}</a>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title={t('admin.charter')} id="charter">
        {current ? (
          <p>
            {t('admin.adhered', { v: charter.data?.version })} <DateText value={current.signedAt} />.{' '}
            <span className="signature" title={current.signature}>
              {t('admin.signedAct')} <code>{String(current.signature).slice(0, 24)}…</code>
            </span>
          </p>
        ) : (
          <>
            <p>{t('admin.notAdhered', { v: charter.data?.version ?? '' })}</p>
            <Button isDisabled={adhere.busy || !charter.data} onPress={() => void adhere.run(() => post(`/api/v1/organisations/${me!.organisationId}/adherences`, { charterId: charter.data.id })).then(() => (adherences.reload(), org.reload()))}>
              {t('admin.adhere')}
            </Button>
            <ProblemBox error={adhere.error} />
          </>
        )}
      </Section>
      <Section title={t('admin.users')} id="users">
        {!users.data ? (
          <Loading error={users.error} />
        ) : (
          <table>
            <caption className="sr-only">{t('admin.users')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.name')}</th>
                <th scope="col">{t('login.email')}</th>
                <th scope="col">{t('admin.roles')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((u) => (
                <tr key={u.id}>
                  <td>{u.displayName}</td>
                  <td>{u.email}</td>
                  <td>{[...u.roles, ...(u.platformRoles ?? [])].map((r: string) => t(`roles.${r}`)).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title={t('admin.allContracts')} id="contracts">
        {(contracts.data ?? []).length === 0 ? (
          <p>{t('admin.noContracts')}</p>
        ) : (
          <ul>
            {contracts.data!.map((c) => (
              <li key={c.id}>
                <a href={`#/contracts/${c.id}`}>{t('admin.contractWith', { title: c.useCaseTitle, provider: c.provider.name, requester: c.requester.name })}</a> <Status value={c.status} />
              </li>
            ))}
          </ul>
        )}
      </Section>
    </main>
  );
}

/** A contract's terms said plainly, and signing it. */
export function ContractPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const contract = useLoad(() => get<Json>(`/api/v1/contracts/${id}`), [id]);
  const verification = useLoad(() => get<Json>(`/api/v1/contracts/${id}/verification`), [id]);
  const datasets = useLoad(() => get<Page<Json>>('/api/v1/datasets?limit=200'), []);
  const sign = useAsyncAction();
  const c = contract.data;
  if (!c) return <main id="main"><Loading error={contract.error} /></main>;
  const terms = c.terms;
  const signedByMe = (c.signatures ?? []).some((s: Json) => s.organisationId === me?.organisationId && !s.voidedAt);
  const party = me && (c.provider.id === me.organisationId || c.requester.id === me.organisationId);
  const datasetName = (did: string) => datasets.data?.items.find((d) => d.id === did)?.name ?? did.slice(0, 8);
  const privacy = terms.disclosure.privacy;
  return (
    <main id="main" tabIndex={-1}>
      <p>
        <a href="#/organisation">← {t('nav.organisation')}</a>
      </p>
      <h1>{t('contract.title', { provider: c.provider.name, requester: c.requester.name })}</h1>
      <p className="meta">
        <Status value={c.status} />
      </p>
      <Section title={t('contract.terms')} id="terms">
        <dl className="terms">
          <dt>{t('contract.purpose')}</dt>
          <dd>{terms.purpose}</dd>
          <dt>{t('contract.whatMayBeComputed')}</dt>
          <dd>
            <ul>
              {terms.datasets.map((d: Json) => (
                <li key={d.datasetId}>
                  {t('contract.columnsOf', { dataset: datasetName(d.datasetId) })} {d.columns.map(prettyColumn).join(', ')}
                </li>
              ))}
            </ul>
            {t('contract.onlyAggregates')}
          </dd>
          <dt>{t('contract.minCellSize')}</dt>
          <dd>{t('contract.minCellSizeText', { n: terms.disclosure.minCellSize })}</dd>
          <dt>{t('contract.dominance')}</dt>
          <dd>{t('contract.dominanceText', { n: terms.disclosure.dominance.n, k: terms.disclosure.dominance.k })}</dd>
          <dt>{t('contract.rounding')}</dt>
          <dd>{terms.disclosure.rounding ? t('contract.roundingText', { n: terms.disclosure.rounding }) : t('contract.noRounding')}</dd>
          <dt>{t('contract.privacy')}</dt>
          <dd>{privacy.mechanism === 'none' ? t('contract.privacyNone') : t('contract.privacyDp', { mechanism: privacy.mechanism, epsilon: privacy.epsilonTotal })}</dd>
          <dt>{t('contract.releaseMode')}</dt>
          <dd>{t(`conditions.release_${terms.releaseMode}`)}</dd>
          <dt>{t('contract.maxComputations')}</dt>
          <dd>{terms.maxComputations}</dd>
          <dt>{t('contract.validity')}</dt>
          <dd>
            <DateText value={terms.validFrom} /> → <DateText value={terms.validUntil} />
          </dd>
          <dt>{t('contract.researchers')}</dt>
          <dd>{t('contract.researchersText', { n: terms.researchers.length })}</dd>
        </dl>
      </Section>
      <Section title={t('contract.signatures')} id="signatures">
        <ul>
          {(c.signatures ?? []).filter((s: Json) => !s.voidedAt).map((s: Json) => (
            <li key={s.id}>
              {s.organisationId === c.provider.id ? c.provider.name : c.requester.name} — <DateText value={s.signedAt} />
              {verification.data && (verification.data.signatures ?? []).some((v: Json) => v.organisationId === s.organisationId && v.valid) && <span className="ok"> ✓ {t('contract.verified')}</span>}
            </li>
          ))}
          {(c.signatures ?? []).filter((s: Json) => !s.voidedAt).length === 0 && <li>{t('contract.noSignature')}</li>}
        </ul>
        {c.status === 'pending_signatures' && party && !signedByMe && (
          <>
            <p>{t('contract.signExplained')}</p>
            <Button isDisabled={sign.busy} onPress={() => void sign.run(() => post(`/api/v1/contracts/${id}/signatures`, {})).then(() => (contract.reload(), verification.reload()))}>
              {t('contract.sign')}
            </Button>
          </>
        )}
        {signedByMe && <p className="ok" role="status">{t('contract.signedByYou')}</p>}
        <ProblemBox error={sign.error} />
      </Section>
    </main>
  );
}
