import { useTranslation } from 'react-i18next';
import { get, Json } from '../api';
import { DateText, Loading, Section, Status, useLoad } from '../components';
import { Charters, Committee, Members } from './operator-admin';

const TABS = ['usage', 'members', 'charters', 'committee', 'audit'] as const;

export function OperatorPage({ tab = 'usage' }: { tab?: string }) {
  const { t } = useTranslation();
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t('operator.title')}</h1>
      <nav aria-label={t('operator.sections')} className="tabs">
        <ul>
          {TABS.map((x) => (
            <li key={x}>
              <a href={`#/operator/${x}`} aria-current={tab === x ? 'page' : undefined}>
                {t(`operator.${x}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {tab === 'usage' && <Usage />}
      {tab === 'members' && <Members />}
      {tab === 'charters' && <Charters />}
      {tab === 'committee' && <Committee />}
      {tab === 'audit' && <Audit />}
    </main>
  );
}

function Usage() {
  const { t, i18n } = useTranslation();
  const { data, error } = useLoad(() => get<Json>('/api/v1/usage'), []);
  if (!data) return <Loading error={error} />;
  return (
    <>
      <p className="lead">{t('operator.usageIntro')}</p>
      <Section title={t('operator.perMember')} id="per-member">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('operator.member')}</th>
              <th scope="col">{t('operator.college')}</th>
              <th scope="col">{t('operator.computationsRun')}</th>
              <th scope="col">{t('operator.computationsOnData')}</th>
              <th scope="col">{t('operator.datasets')}</th>
              <th scope="col">{t('operator.rows')}</th>
              <th scope="col">{t('operator.epsilon')}</th>
            </tr>
          </thead>
          <tbody>
            {data.members.map((m: Json) => (
              <tr key={m.organisationId}>
                <td>{m.name}</td>
                <td>{t(`college.${m.college}`)}</td>
                <td>{m.computations}</td>
                <td>{m.computationsOnItsData}</td>
                <td>{m.datasets}</td>
                <td>{m.rowsContributed ? `≈ ${m.rowsContributed.toLocaleString(i18n.language)}` : '—'}</td>
                <td>{m.epsilonSpent || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t('operator.perUseCase')} id="per-use-case">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('research.title')}</th>
              <th scope="col">{t('research.state')}</th>
              <th scope="col">{t('operator.computationsRun')}</th>
              <th scope="col">{t('operator.released')}</th>
              <th scope="col">{t('operator.rejected')}</th>
              <th scope="col">{t('operator.epsilon')}</th>
            </tr>
          </thead>
          <tbody>
            {data.useCases.map((u: Json) => (
              <tr key={u.useCaseId}>
                <td>{u.title}</td>
                <td>
                  <Status value={u.status} />
                </td>
                <td>{u.computations}</td>
                <td>{u.released}</td>
                <td>{u.rejected}</td>
                <td>{u.epsilonSpent || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

function Audit() {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => get<Json>('/api/v1/audit/verification'), []);
  if (!data) return <Loading error={error} />;
  return (
    <Section title={t('operator.audit')} id="audit-result">
      <p className={data.valid ? 'ok' : 'problem'} role="status">
        {data.valid ? `✓ ${t('operator.auditValid', { n: data.events })}` : `✗ ${t('operator.auditBroken', { seq: data.brokenAtSeq ?? '?' })}`}
      </p>
      <p className="hint">
        {t('operator.auditHead')} <code>{String(data.headHash).slice(0, 24)}…</code> · {t('operator.checkedAt')} <DateText value={data.checkedAt} />
      </p>
    </Section>
  );
}
