import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePublicJwk } from '../src/pages/organisation-keys';
import { principlesOf } from '../src/pages/operator-admin';
import { changesOf, draftOf } from '../src/pages/use-case-form';

describe('registering an organisation key', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  it('accepts a public JWK as it is', () => {
    const jwk = publicKey.export({ format: 'jwk' });
    expect(parsePublicJwk(JSON.stringify(jwk))).toEqual({ jwk });
  });
  it('refuses a private JWK before it is sent, and text that is not a JSON object', () => {
    expect(parsePublicJwk(JSON.stringify(privateKey.export({ format: 'jwk' })))).toEqual({ problem: 'private_key' });
    expect(parsePublicJwk('not json')).toEqual({ problem: 'not_json' });
    expect(parsePublicJwk('[1,2]')).toEqual({ problem: 'not_json' });
    expect(parsePublicJwk('null')).toEqual({ problem: 'not_json' });
  });
});

describe('a charter version from its text', () => {
  it('reads one principle per line, `code | title | text`, and skips blank or incomplete lines', () => {
    expect(principlesOf('P1 | Intérêt public | Servir l’intérêt général.\n\nP2 | Sobriété\nP3 | Transparence | Le registre est public | ouvert.')).toEqual([
      { code: 'P1', title: 'Intérêt public', text: 'Servir l’intérêt général.' },
      { code: 'P3', title: 'Transparence', text: 'Le registre est public | ouvert.' },
    ]);
  });
});

describe('editing or amending a use case', () => {
  const before = { title: 'A', purpose: 'B', publicInterest: 'C', requestedDatasets: [{ datasetId: 'd1', columns: ['age', 'commune'] }] };
  it('sends only the fields that changed', () => {
    expect(changesOf(before, draftOf(before))).toEqual({});
    expect(changesOf(before, { ...draftOf(before), title: 'A2' })).toEqual({ title: 'A2' });
  });
  it('treats the requested columns as a set (order does not matter) and drops datasets left with none', () => {
    expect(changesOf(before, { ...draftOf(before), picked: { d1: ['commune', 'age'] } })).toEqual({});
    expect(changesOf(before, { ...draftOf(before), picked: { d1: ['age'], d2: [] } })).toEqual({ requestedDatasets: [{ datasetId: 'd1', columns: ['age'] }] });
  });
});

describe('an upload’s row errors', () => {
  it('says the validator’s known messages in the reader’s language, and shows an unknown one as written', async () => {
    const i18n = (await import('../src/i18n')).default;
    const { rowErrorInWords } = await import('../src/logic/row-errors');
    expect(rowErrorInWords(i18n.t, 'must be an integer')).toBe('doit être un nombre entier');
    expect(rowErrorInWords(i18n.t, 'must be at most the declared maximum 10000')).toBe('doit être au plus le maximum déclaré (10000)');
    expect(rowErrorInWords(i18n.t, 'something new')).toBe('something new');
    await i18n.changeLanguage('en');
    expect(rowErrorInWords(i18n.t, 'must be one of the declared categories')).toBe('must be one of the declared categories');
  });
});
