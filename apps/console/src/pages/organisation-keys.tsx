import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, Json, post } from '../api';
import { Button, DateText, Field, Loading, ProblemBox, Section, useAsyncAction, useLoad } from '../components';

/** Reads a pasted public JWK; a private part (`d`) is refused here already, before it travels. */
export function parsePublicJwk(text: string): { jwk?: Record<string, unknown>; problem?: 'not_json' | 'private_key' } {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    return { problem: 'not_json' };
  }
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return { problem: 'not_json' };
  if ('d' in jwk) return { problem: 'private_key' };
  return { jwk: jwk as Record<string, unknown> };
}

/** The organisation's signing keys (public JWKs it signs contracts with itself): register, revoke. */
export function OrganisationKeys({ organisationId }: { organisationId: string }) {
  const { t } = useTranslation();
  const keys = useLoad(() => get<Json[]>(`/api/v1/organisations/${organisationId}/keys`), [organisationId]);
  const [text, setText] = useState('');
  const [local, setLocal] = useState<string>();
  const register = useAsyncAction();
  const revoke = useAsyncAction();
  const add = () => {
    const { jwk, problem } = parsePublicJwk(text);
    setLocal(problem);
    if (!jwk) return;
    void register.run(() => post(`/api/v1/organisations/${organisationId}/keys`, { jwk })).then((k) => k && (setText(''), keys.reload()));
  };
  return (
    <Section title={t('keys.title')} id="keys">
      <p className="hint">{t('keys.intro')}</p>
      {!keys.data ? (
        <Loading error={keys.error} />
      ) : keys.data.length === 0 ? (
        <p>{t('keys.none')}</p>
      ) : (
        <table>
          <caption className="sr-only">{t('keys.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('keys.thumbprint')}</th>
              <th scope="col">{t('keys.alg')}</th>
              <th scope="col">{t('keys.registered')}</th>
              <th scope="col">{t('keys.state')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <td>
                  <code className="wrap">{k.kid}</code>
                </td>
                <td>{k.alg}</td>
                <td>
                  <DateText value={k.createdAt} />
                </td>
                <td>
                  {k.revokedAt ? (
                    <>
                      {t('keys.revokedOn')} <DateText value={k.revokedAt} />
                    </>
                  ) : (
                    <>
                      {t('keys.inUse')}{' '}
                      <Button kind="danger" isDisabled={revoke.busy} onPress={() => void revoke.run(() => post(`/api/v1/organisations/${organisationId}/keys/${encodeURIComponent(k.kid)}/revoke`)).then(keys.reload)}>
                      {t('keys.revoke')}
                      </Button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ProblemBox error={revoke.error} />
      <Field label={t('keys.jwk')} value={text} onChange={setText} multiline description={t('keys.jwkHint')} name="jwk" />
      <Button isDisabled={register.busy || !text.trim()} onPress={add}>
        {t('keys.register')}
      </Button>
      {local && (
        <div role="alert" className="problem">
          <strong>{t(`keys.${local}`)}</strong>
        </div>
      )}
      <ProblemBox error={register.error} />
    </Section>
  );
}
