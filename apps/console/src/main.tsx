import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import './i18n';
import './styles.css';
import { get, login, logout, refresh } from './api';
import { Button, Field, ProblemBox, useAsyncAction } from './components';
import { go, useRoute } from './router';
import { hasRole, Me, SessionContext } from './session';
import { CharterPage, PublicUseCasePage, RegisterPage } from './pages/public';
import { OrganisationPage, ContractPage } from './pages/admin';
import { CataloguePage, DatasetPage, NewDatasetPage } from './pages/steward';
import { UseCasesPage, UseCasePage, NewUseCasePage } from './pages/research';
import { ReviewQueuePage, DossierPage } from './pages/committee';
import { OperatorPage } from './pages/operator';

function LoginPage({ onLogin }: { onLogin: (me: Me) => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAsyncAction();
  return (
    <main id="main" className="narrow">
      <h1>{t('login.title')}</h1>
      <p>{t('login.intro')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await login(email, password);
            onLogin(await get<Me>('/api/v1/me'));
          });
        }}
      >
        <Field label={t('login.email')} value={email} onChange={setEmail} type="email" name="email" />
        <Field label={t('login.password')} value={password} onChange={setPassword} type="password" name="password" />
        <Button type="submit" isDisabled={action.busy}>
          {t('login.submit')}
        </Button>
      </form>
      <ProblemBox error={action.error} />
    </main>
  );
}

function Nav({ me }: { me: Me | null }) {
  const { t } = useTranslation();
  const links: [string, string][] = [['#/register', t('nav.register')], ['#/charter', t('nav.charter')]];
  if (me) {
    if (hasRole(me, 'org_admin')) links.push(['#/organisation', t('nav.organisation')]);
    if (hasRole(me, 'data_steward')) links.push(['#/datasets', t('nav.datasets')]);
    if (hasRole(me, 'researcher') || hasRole(me, 'org_admin')) links.push(['#/use-cases', t('nav.useCases')]);
    if (hasRole(me, 'ethics_committee')) links.push(['#/committee', t('nav.committee')]);
    if (hasRole(me, 'platform_admin')) links.push(['#/operator', t('nav.operator')]);
  }
  return (
    <nav aria-label={t('nav.label')}>
      <ul>
        {links.map(([href, label]) => (
          <li key={href}>
            <a href={href} aria-current={window.location.hash.startsWith(href) ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function App() {
  const { t, i18n } = useTranslation();
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);
  const route = useRoute();

  useEffect(() => {
    // A reload keeps the session through the httpOnly cookie, never through storage.
    refresh()
      .then(async (ok) => ok && setMe(await get<Me>('/api/v1/me')))
      .catch(() => undefined)
      .finally(() => setReady(true));
  }, []);
  useEffect(() => {
    document.documentElement.lang = i18n.language;
    document.title = `Cadre — ${t('app.console')}`;
  }, [i18n.language, t]);

  const [page, ...rest] = route;
  let content;
  if (!ready) content = <main id="main"><p aria-busy="true">{t('common.loading')}</p></main>;
  else if (page === 'charter') content = <CharterPage />;
  else if (page === 'register' && rest[0]) content = <PublicUseCasePage id={rest[0]} />;
  else if (page === 'register' || (!page && !me)) content = <RegisterPage />;
  else if (page === 'login' || !me) content = <LoginPage onLogin={(m) => (setMe(m), go(home(m)))} />;
  else if (!page) content = <RedirectHome me={me} />;
  else if (page === 'organisation') content = <OrganisationPage />;
  else if (page === 'contracts' && rest[0]) content = <ContractPage id={rest[0]} />;
  else if (page === 'datasets' && rest[0] === 'new') content = <NewDatasetPage />;
  else if (page === 'datasets' && rest[0]) content = <DatasetPage id={rest[0]} />;
  else if (page === 'datasets') content = <CataloguePage />;
  else if (page === 'use-cases' && rest[0] === 'new') content = <NewUseCasePage />;
  else if (page === 'use-cases' && rest[0]) content = <UseCasePage id={rest[0]} computationId={rest[1] === 'computations' ? rest[2] : undefined} />;
  else if (page === 'use-cases') content = <UseCasesPage />;
  else if (page === 'committee' && rest[0]) content = <DossierPage id={rest[0]} />;
  else if (page === 'committee') content = <ReviewQueuePage />;
  else if (page === 'operator') content = <OperatorPage tab={rest[0]} />;
  else content = <main id="main"><h1>{t('common.notFound')}</h1></main>;

  return (
    <SessionContext.Provider value={{ me, setMe }}>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('app.skip')}
      </a>
      <header className="top">
        <a className="brand" href="#/">
          Cadre <span>{t('app.tagline')}</span>
        </a>
        <Nav me={me} />
        <div className="who">
          <div role="group" aria-label={t('app.language')} className="lang">
            {(['fr', 'en'] as const).map((l) => (
              <button key={l} type="button" aria-pressed={i18n.language === l} onClick={() => void i18n.changeLanguage(l)} lang={l}>
                {l === 'fr' ? 'Français' : 'English'}
              </button>
            ))}
          </div>
          {me ? (
            <>
              <span className="me" title={me.displayName}>{me.displayName}</span>
              <Button kind="secondary" onPress={() => void logout().then(() => (setMe(null), go('/register')))}>
                {t('login.logout')}
              </Button>
            </>
          ) : (
            <a className="btn btn-primary" href="#/login">
              {t('login.submit')}
            </a>
          )}
        </div>
      </header>
      {content}
      <footer>{t('app.footer')}</footer>
    </SessionContext.Provider>
  );
}

function home(me: Me): string {
  if (hasRole(me, 'platform_admin')) return '/operator';
  if (hasRole(me, 'ethics_committee')) return '/committee';
  if (hasRole(me, 'data_steward')) return '/datasets';
  if (hasRole(me, 'org_admin')) return '/organisation';
  return '/use-cases';
}

function RedirectHome({ me }: { me: Me }) {
  useEffect(() => go(home(me)), [me]);
  return null;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
