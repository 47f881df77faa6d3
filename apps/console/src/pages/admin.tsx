import { useState } from 'react';
import { Checkbox } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { api, get, Json, Page, post } from '../api';
import { Button, DateText, Field, Loading, ProblemBox, Section, Status, useAsyncAction, useLoad } from '../components';
import { noTightening, termsInWords, tighteningPatch, type Tightening } from '../logic/terms';
import { hasRole, useSession } from '../session';
import { OrganisationKeys } from './organisation-keys';

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
        {!users.data ? <Loading error={users.error} /> : <UsersTable users={users.data.items} onChange={users.reload} />}
      </Section>
      <OrganisationKeys organisationId={me!.organisationId} />
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

/** The organisation's users; an admin deactivates (every session ends) or reactivates one. */
export function UsersTable({ users, onChange }: { users: Json[]; onChange: () => void }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const action = useAsyncAction();
  const setActive = (id: string, active: boolean) => void action.run(() => api('PATCH', `/api/v1/users/${id}`, { active })).then(onChange);
  return (
    <>
      <table>
        <caption className="sr-only">{t('admin.users')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.name')}</th>
            <th scope="col">{t('login.email')}</th>
            <th scope="col">{t('admin.roles')}</th>
            <th scope="col">{t('admin.account')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.displayName}</td>
              <td>{u.email}</td>
              <td>{[...u.roles, ...(u.platformRoles ?? [])].map((r: string) => t(`roles.${r}`)).join(', ')}</td>
              <td>
                {u.active === false ? t('admin.inactive') : t('admin.active')}{' '}
                {u.id !== me?.id && (
                  <Button kind="secondary" isDisabled={action.busy} onPress={() => setActive(u.id, u.active === false)}>
                    {u.active === false ? t('admin.reactivate', { name: u.displayName }) : t('admin.deactivate', { name: u.displayName })}
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ProblemBox error={action.error} />
    </>
  );
}

/** A contract's terms said plainly, and signing it. */
export function ContractPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const contract = useLoad(() => get<Json>(`/api/v1/contracts/${id}`), [id]);
  const verification = useLoad(() => get<Json>(`/api/v1/contracts/${id}/verification`), [id]);
  const datasets = useLoad(() => get<Page<Json>>('/api/v1/datasets?limit=200'), []);
  const sign = useAsyncAction();
  const c = contract.data;
  if (!c) return <main id="main"><Loading error={contract.error} /></main>;
  const signedByMe = (c.signatures ?? []).some((s: Json) => s.organisationId === me?.organisationId && !s.voidedAt);
  const party = me && (c.provider.id === me.organisationId || c.requester.id === me.organisationId);
  const providerAdmin = !!me && c.provider.id === me.organisationId && hasRole(me, 'org_admin');
  const datasetName = (did: string) => datasets.data?.items.find((d) => d.id === did)?.name ?? did.slice(0, 8);
  const formatDate = (iso: string) => new Date(iso).toLocaleDateString(i18n.language, { dateStyle: 'medium' });
  const reload = () => (contract.reload(), verification.reload());
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
        <TermsList terms={c.terms} datasetName={datasetName} formatDate={formatDate} />
      </Section>
      {providerAdmin && c.status === 'pending_signatures' && <Tighten contract={c} onDone={reload} />}
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
            <Button isDisabled={sign.busy} onPress={() => void sign.run(() => post(`/api/v1/contracts/${id}/signatures`, {})).then(reload)}>
              {t('contract.sign')}
            </Button>
          </>
        )}
        {signedByMe && c.status !== 'terminated' && <p className="ok" role="status">{t('contract.signedByYou')}</p>}
        <ProblemBox error={sign.error} />
      </Section>
      {(providerAdmin || hasRole(me, 'platform_admin')) && ['pending_signatures', 'active'].includes(c.status) && <Terminate contractId={id} onDone={reload} />}
      {c.status === 'terminated' && (
        <p className="warning" role="status">
          {t('contract.terminatedText')} {c.endReason && t('common.quoted', { text: c.endReason })}
        </p>
      )}
    </main>
  );
}

/** The terms as a definition list: each term, then its plain-words sentence. */
export function TermsList({ terms, datasetName, formatDate }: { terms: Json; datasetName: (id: string) => string; formatDate: (iso: string) => string }) {
  const { t } = useTranslation();
  return (
    <dl className="terms">
      {termsInWords(t, terms, datasetName, formatDate).map((line) => (
        <div key={line.key}>
          <dt>{line.term}</dt>
          <dd>
            {line.items && (
              <ul>
                {line.items.map((i) => (
                  <li key={i}>{i}</li>
                ))}
              </ul>
            )}
            {line.text}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The provider's admin tightens the terms before signing (only stricter; earlier signatures are voided). */
function Tighten({ contract, onDone }: { contract: Json; onDone: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<Tightening>(noTightening);
  const action = useAsyncAction();
  const set = (key: keyof Tightening) => (v: string) => setForm({ ...form, [key]: v });
  const { patch, looser } = tighteningPatch(contract.terms, form);
  const d = contract.terms.disclosure;
  return (
    <Section title={t('contract.tighten')} id="tighten">
      <p className="hint">{t('contract.tightenIntro')}</p>
      <div className="row">
        <Field label={t('contract.minCellSize')} value={form.minCellSize} onChange={set('minCellSize')} description={t('contract.currently', { v: d.minCellSize })} name="minCellSize" />
        <Field label={t('contract.rounding')} value={form.rounding} onChange={set('rounding')} description={t('contract.currently', { v: d.rounding || 0 })} name="rounding" />
        <Field label={t('contract.dominanceK')} value={form.dominanceK} onChange={set('dominanceK')} description={t('contract.currently', { v: d.dominance?.k })} name="dominanceK" />
        <Field label={t('contract.maxComputations')} value={form.maxComputations} onChange={set('maxComputations')} description={t('contract.currently', { v: contract.terms.maxComputations })} name="maxComputations" />
      </div>
      {contract.terms.releaseMode !== 'provider_review' && (
        <Checkbox className="check" isSelected={form.providerReview} onChange={(on) => setForm({ ...form, providerReview: on })}>
          <span className="box" aria-hidden="true" /> {t('contract.requireReview')}
        </Checkbox>
      )}
      {looser.length > 0 && (
        <p className="warning" role="note">
          {t('contract.looser', { fields: looser.map((f) => t(`contract.field_${f}`)).join(', ') })}
        </p>
      )}
      <Button isDisabled={action.busy || looser.length > 0 || Object.keys(patch).length === 0} onPress={() => void action.run(() => api('PATCH', `/api/v1/contracts/${contract.id}`, { terms: patch })).then(() => (setForm(noTightening()), onDone()))}>
        {t('contract.applyTighten')}
      </Button>
      <ProblemBox error={action.error} />
    </Section>
  );
}

/** Terminating is immediate and suspends an active use case: a reason is required and recorded. */
function Terminate({ contractId, onDone }: { contractId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const action = useAsyncAction();
  return (
    <Section title={t('contract.terminate')} id="terminate">
      <p className="hint">{t('contract.terminateIntro')}</p>
      <Field label={t('contract.terminateReason')} value={reason} onChange={setReason} multiline />
      <Button kind="danger" isDisabled={action.busy || !reason.trim()} onPress={() => void action.run(() => post(`/api/v1/contracts/${contractId}/terminate`, { reason })).then(onDone)}>
        {t('contract.terminateButton')}
      </Button>
      <ProblemBox error={action.error} />
    </Section>
  );
}
