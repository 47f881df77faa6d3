import { useTranslation } from 'react-i18next';
import { get, Json, Page } from '../api';
import { DateText, Loading, Section, useLoad } from '../components';
import { Conditions } from './shared';

export function RegisterPage() {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => get<Page<Json>>('/api/v1/register/use-cases?limit=200'), []);
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t('register.title')}</h1>
      <p className="lead">{t('register.intro')}</p>
      {!data ? (
        <Loading error={error} />
      ) : data.items.length === 0 ? (
        <p>{t('register.empty')}</p>
      ) : (
        <ul className="cards">
          {data.items.map((u) => (
            <li key={u.id} className="card">
              <h2>
                <a href={`#/register/${u.id}`}>{u.title}</a>
              </h2>
              <p>{u.purpose}</p>
              <p className="meta">
                {t('register.parties')}{t('common.colon')}{u.organisations.join(', ')} · {t('register.decided')} <DateText value={u.decisionDate} />
              </p>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/api/v1/register/use-cases?format=csv&limit=200" download>
          {t('register.csv')}
        </a>
      </p>
    </main>
  );
}

export function PublicUseCasePage({ id }: { id: string }) {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => get<Page<Json>>('/api/v1/register/use-cases?limit=200'), []);
  const u = data?.items.find((x) => x.id === id);
  return (
    <main id="main" tabIndex={-1}>
      <p>
        <a href="#/register">← {t('register.title')}</a>
      </p>
      {!data ? (
        <Loading error={error} />
      ) : !u ? (
        <p>{t('common.notFound')}</p>
      ) : (
        <>
          <h1>{u.title}</h1>
          <Section title={t('register.purpose')}>
            <p>{u.purpose}</p>
          </Section>
          <Section title={t('register.partiesTitle')}>
            <p>
              <strong>{t('register.requester')}</strong>{t('common.colon')}{u.organisations[0]}
            </p>
            <p>
              <strong>{t('register.providers')}</strong>{t('common.colon')}{u.organisations.slice(1).join(', ') || '—'}
            </p>
            <p>
              {t('register.decided')} <DateText value={u.decisionDate} />
            </p>
          </Section>
          <Section title={t('register.conditions')}>
            <Conditions conditions={u.conditions} />
            <p className="hint">{t('register.disclosureExplained')}</p>
          </Section>
        </>
      )}
    </main>
  );
}

export function CharterPage() {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => get<Json>('/api/v1/register/charter'), []);
  return (
    <main id="main" tabIndex={-1}>
      {!data ? (
        <Loading error={error} />
      ) : (
        <>
          <h1>{data.title}</h1>
          <p className="meta">
            {t('charter.version', { v: data.version })} · {t('charter.published')} <DateText value={data.publishedAt} />
          </p>
          <ol className="principles">
            {(data.principles ?? []).map((p: Json) => (
              <li key={p.code}>
                <h2>{p.title}</h2>
                <p>{p.text}</p>
              </li>
            ))}
          </ol>
        </>
      )}
    </main>
  );
}
