import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, get, Json, Page, post } from '../api';
import { Button, DateText, Field, Loading, ProblemBox, Section, Select, Status, useAsyncAction, useLoad } from '../components';
import { UsersTable } from './admin';

const COLLEGES = ['local_authorities', 'public_institutions', 'academia', 'health', 'private_sector'];

/** Members by college, each with its users (deactivation), and admitting a new member with its first admin. */
export function Members() {
  const { t } = useTranslation();
  const { data, error, reload } = useLoad(() => get<Page<Json>>('/api/v1/organisations?limit=200'), []);
  if (!data) return <Loading error={error} />;
  const colleges = [...new Set(data.items.map((o) => o.college))];
  return (
    <>
      <Admit onDone={reload} />
      {colleges.map((c) => (
        <Section key={c} title={t(`college.${c}`)} id={`college-${c}`}>
          <ul className="members">
            {data.items
              .filter((o) => o.college === c)
              .map((o) => (
                <li key={o.id}>
                  <details>
                    <summary>
                      {o.name} — <Status value={o.status} /> · {o.adheresToCurrentCharter ? t('operator.adheres') : t('operator.notAdhering')}
                    </summary>
                    <MemberUsers organisationId={o.id} />
                  </details>
                </li>
              ))}
          </ul>
        </Section>
      ))}
    </>
  );
}

function MemberUsers({ organisationId }: { organisationId: string }) {
  const users = useLoad(() => get<Page<Json>>(`/api/v1/organisations/${organisationId}/users?limit=200`), [organisationId]);
  return !users.data ? <Loading error={users.error} /> : <UsersTable users={users.data.items} onChange={users.reload} />;
}

/** Admits an organisation into a college and opens its first administrator's account. */
function Admit({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const empty = { name: '', college: 'local_authorities', siren: '', adminName: '', adminEmail: '', adminPassword: '' };
  const [f, setF] = useState(empty);
  const [admitted, setAdmitted] = useState('');
  const action = useAsyncAction();
  const set = (k: keyof typeof empty) => (v: string) => setF({ ...f, [k]: v });
  const admit = () =>
    action.run(async () => {
      const org = await post<Json>('/api/v1/organisations', { name: f.name, college: f.college, ...(f.siren.trim() ? { siren: f.siren.trim() } : {}) });
      if (f.adminEmail.trim()) await post(`/api/v1/organisations/${org.id}/users`, { email: f.adminEmail.trim(), password: f.adminPassword, displayName: f.adminName || f.adminEmail, roles: ['org_admin'] });
      setAdmitted(org.name);
      setF(empty);
      onDone();
    });
  return (
    <Section title={t('operator.admit')} id="admit">
      <p className="hint">{t('operator.admitIntro')}</p>
      <div className="row">
        <Field label={t('operator.orgName')} value={f.name} onChange={set('name')} name="orgName" />
        <Select id="college" label={t('operator.college')} value={f.college} onChange={set('college')} options={COLLEGES.map((c) => ({ value: c, label: t(`college.${c}`) }))} />
        <Field label={t('operator.siren')} value={f.siren} onChange={set('siren')} description={t('operator.sirenHint')} name="siren" />
      </div>
      <fieldset>
        <legend>{t('operator.firstAdmin')}</legend>
        <div className="row">
          <Field label={t('admin.name')} value={f.adminName} onChange={set('adminName')} name="adminName" />
          <Field label={t('login.email')} value={f.adminEmail} onChange={set('adminEmail')} type="email" name="adminEmail" />
          <Field label={t('operator.initialPassword')} value={f.adminPassword} onChange={set('adminPassword')} type="password" description={t('operator.passwordHint')} name="adminPassword" />
        </div>
      </fieldset>
      <Button isDisabled={action.busy || !f.name.trim()} onPress={() => void admit()}>
        {t('operator.admitButton')}
      </Button>
      {admitted && (
        <p className="ok" role="status">
          {t('operator.admitted', { name: admitted })}
        </p>
      )}
      <ProblemBox error={action.error} />
    </Section>
  );
}

/** Charter versions; drafting a new one and publishing it (every member must then adhere again). */
export function Charters() {
  const { t } = useTranslation();
  const { data, error, reload } = useLoad(() => get<Page<Json>>('/api/v1/charters?limit=50'), []);
  const publish = useAsyncAction();
  const [confirm, setConfirm] = useState('');
  if (!data) return <Loading error={error} />;
  return (
    <>
      <Section title={t('operator.charters')} id="charter-list">
        <ul>
          {data.items.map((c) => (
            <li key={c.id}>
              {c.title} — {t('charter.version', { v: c.version })} <Status value={c.status} /> <DateText value={c.publishedAt} />
              {c.status === 'draft' &&
                (confirm === c.id ? (
                  <span className="confirm">
                    {' '}
                    {t('operator.publishWarning')}{' '}
                    <Button isDisabled={publish.busy} onPress={() => void publish.run(() => post(`/api/v1/charters/${c.id}/publish`)).then(() => (setConfirm(''), reload()))}>
                      {t('operator.publishConfirm', { v: c.version })}
                    </Button>
                  </span>
                ) : (
                  <Button kind="secondary" onPress={() => setConfirm(c.id)}>
                    {t('operator.publish', { v: c.version })}
                  </Button>
                ))}
            </li>
          ))}
        </ul>
        <ProblemBox error={publish.error} />
      </Section>
      <DraftCharter current={data.items.find((c) => c.status === 'current')} onDone={reload} />
    </>
  );
}

/** A new version starts from the current text; each principle is `code | title | text` on its line. */
export function principlesOf(text: string): { code: string; title: string; text: string }[] {
  return text
    .split('\n')
    .map((l) => l.split('|').map((x) => x.trim()))
    .filter((p) => p.length >= 3 && p[0])
    .map(([code, title, ...rest]) => ({ code, title, text: rest.join(' | ') }));
}

function DraftCharter({ current, onDone }: { current?: Json; onDone: () => void }) {
  const { t } = useTranslation();
  const [version, setVersion] = useState('');
  const [title, setTitle] = useState(current?.title ?? '');
  const [principles, setPrinciples] = useState(() => (current?.principles ?? []).map((p: Json) => `${p.code} | ${p.title} | ${p.text}`).join('\n'));
  const action = useAsyncAction();
  return (
    <Section title={t('operator.draftCharter')} id="draft-charter">
      <p className="hint">{t('operator.draftCharterIntro')}</p>
      <div className="row">
        <Field label={t('operator.charterVersion')} value={version} onChange={setVersion} name="version" />
        <Field label={t('operator.charterTitle')} value={title} onChange={setTitle} name="charterTitle" />
      </div>
      <Field label={t('operator.principles')} value={principles} onChange={setPrinciples} multiline description={t('operator.principlesHint')} />
      <Button isDisabled={action.busy || !version.trim()} onPress={() => void action.run(() => post('/api/v1/charters', { version: version.trim(), title, principles: principlesOf(principles) })).then((c) => c && (setVersion(''), onDone()))}>
        {t('operator.saveDraftCharter')}
      </Button>
      <ProblemBox error={action.error} />
    </Section>
  );
}

async function everyone(): Promise<Json[]> {
  const orgs = await get<Page<Json>>('/api/v1/organisations?limit=200');
  const users = await Promise.all(orgs.items.map((o) => get<Page<Json>>(`/api/v1/organisations/${o.id}/users?limit=200`).then((p) => p.items.map((u) => ({ ...u, organisation: o.name })))));
  return users.flat();
}

/** The ethics committee: named by the operator (platform role), from several organisations. */
export function Committee() {
  const { t } = useTranslation();
  const { data, error, reload } = useLoad(everyone, []);
  const [candidate, setCandidate] = useState('');
  const action = useAsyncAction();
  if (!data) return <Loading error={error} />;
  const members = data.filter((u) => (u.platformRoles ?? []).includes('ethics_committee'));
  const others = data.filter((u) => u.active !== false && !(u.platformRoles ?? []).includes('ethics_committee'));
  const setRoles = (u: Json, roles: string[]) => action.run(() => api('PUT', `/api/v1/users/${u.id}/platform-roles`, { platformRoles: roles })).then(reload);
  return (
    <Section title={t('operator.committee')} id="committee-list">
      <p className="hint">{t('operator.committeeIntro')}</p>
      <ul>
        {members.map((u) => (
          <li key={u.id}>
            {u.displayName} — {u.organisation}{' '}
            <Button kind="secondary" isDisabled={action.busy} onPress={() => void setRoles(u, u.platformRoles.filter((r: string) => r !== 'ethics_committee'))}>
              {t('operator.removeFromCommittee', { name: u.displayName })}
            </Button>
          </li>
        ))}
      </ul>
      <div className="row">
        <Select id="candidate" label={t('operator.nameToCommittee')} value={candidate} onChange={setCandidate} options={[{ value: '', label: '—' }, ...others.map((u) => ({ value: u.id, label: `${u.displayName} — ${u.organisation}` }))]} />
        <Button isDisabled={action.busy || !candidate} onPress={() => void setRoles(others.find((u) => u.id === candidate), [...(others.find((u) => u.id === candidate)?.platformRoles ?? []), 'ethics_committee']).then(() => setCandidate(''))}>
          {t('operator.name')}
        </Button>
      </div>
      <ProblemBox error={action.error} />
    </Section>
  );
}
