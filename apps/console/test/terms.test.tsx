import { describe, expect, it } from 'vitest';
import i18n from '../src/i18n';
import { noTightening, termsInWords, tighteningPatch } from '../src/logic/terms';

const terms = {
  purpose: 'Cartographier la positivité',
  datasets: [{ datasetId: 'd1', columns: ['covid_patients.commune', 'age'] }],
  researchers: ['u1', 'u2'],
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2027-01-01T00:00:00.000Z',
  disclosure: { minCellSize: 11, dominance: { n: 1, k: 85 }, rounding: 0, privacy: { mechanism: 'none', epsilonTotal: 0, delta: 0 }, perturbation: { maxDeviation: 2, variance: 1 }, forbiddenGroupBy: [['covid_patients.age', 'covid_patients.commune']] },
  maxComputations: 100,
  releaseMode: 'automatic',
};
const words = () => termsInWords(i18n.t, terms, (id) => (id === 'd1' ? 'covid_patients' : id), (iso) => iso.slice(0, 10));
const line = (key: string) => words().find((l) => l.key === key)!;

describe('a contract’s terms in plain words', () => {
  it('says the minimum cell size, dominance, rounding and perturbation as sentences, in French', () => {
    expect(line('minCellSize').text).toBe('Toute case de moins de 11 personnes est masquée.');
    expect(line('dominance').text).toBe('Une case où 1 contributeur(s) pèse(nt) plus de 85 % du total est masquée.');
    expect(line('rounding').text).toBe('Pas d’arrondi imposé.');
    expect(line('perturbation').text).toContain('± 2');
    expect(line('privacy').text).toBe('Non utilisée : protection par secret statistique et perturbation.');
  });

  it('names the datasets and their columns, the forbidden crossing, the release mode, the validity and the team size', () => {
    expect(line('computed').items).toEqual(['Colonnes de « covid_patients » : commune (covid_patients), age']);
    const forbidden = line('forbidden-covid_patients.age+covid_patients.commune');
    expect([forbidden.term, forbidden.text]).toEqual(['Croisement interdit', 'age (covid_patients) × commune (covid_patients)']);
    expect(line('releaseMode').text).toBe('Résultats publiés automatiquement après contrôle');
    expect(line('validity').text).toBe('2026-01-01 → 2027-01-01');
    expect(line('researchers').text).toBe('2 chercheur(s) nommé(s) de l’équipe');
  });

  it('says the same in English, and names a DP mechanism in words', async () => {
    await i18n.changeLanguage('en');
    expect(line('minCellSize').text).toBe('Any cell of fewer than 11 persons is suppressed.');
    const dp = termsInWords(i18n.t, { ...terms, disclosure: { ...terms.disclosure, privacy: { mechanism: 'laplace', epsilonTotal: 2 } } }, String, String);
    expect(dp.find((l) => l.key === 'privacy')!.text).toBe('Laplace noise mechanism, total budget ε = 2.');
  });
});

describe('tightening a contract', () => {
  it('sends only what the admin filled, as a partial terms object', () => {
    const { patch, looser } = tighteningPatch(terms, { ...noTightening(), minCellSize: '15', providerReview: true });
    expect(looser).toEqual([]);
    expect(patch).toEqual({ disclosure: { minCellSize: 15 }, releaseMode: 'provider_review' });
  });

  it('names every field that would loosen the contract (same rules as the API)', () => {
    const { looser } = tighteningPatch(terms, { minCellSize: '5', rounding: '5', dominanceK: '90', maxComputations: '200', providerReview: false });
    expect(looser).toEqual(['minCellSize', 'dominanceK', 'maxComputations']);
  });

  it('sends nothing when nothing was filled', () => {
    expect(tighteningPatch(terms, noTightening()).patch).toEqual({});
  });
});

describe('the contract page’s terms list', () => {
  it('renders each term with its sentence, in the chosen language', async () => {
    const { render, screen, within } = await import('@testing-library/react');
    const { TermsList } = await import('../src/pages/admin');
    const { unmount } = render(<TermsList terms={terms} datasetName={() => 'covid_patients'} formatDate={(iso) => iso.slice(0, 10)} />);
    const terms_ = screen.getAllByRole('term').map((e) => e.textContent);
    expect(terms_).toContain('Taille minimale des cellules');
    const dd = screen.getByText('Taille minimale des cellules').closest('div')!;
    expect(within(dd).getByRole('definition').textContent).toBe('Toute case de moins de 11 personnes est masquée.');
    unmount();
    await i18n.changeLanguage('en');
    render(<TermsList terms={terms} datasetName={() => 'covid_patients'} formatDate={(iso) => iso.slice(0, 10)} />);
    expect(screen.getByText('Any cell of fewer than 11 persons is suppressed.')).toBeTruthy();
    expect(screen.queryByText(/Toute case/)).toBeNull();
  });
});
