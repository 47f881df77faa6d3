import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import i18n from '../src/i18n';
import { ApiError } from '../src/api';
import { ProblemBox } from '../src/components';
import { problemWords } from '../src/logic/problems';
import { fr } from '../src/locales/fr';
import { en } from '../src/locales/en';

const refusal = (status: number, code?: string, extra: object = {}) => new ApiError({ status, ...(code ? { code } : {}), detail: 'server detail', ...extra });

describe('a 422 said in words', () => {
  it('uses the problem code first, in French by default', () => {
    const w = problemWords(i18n.t, refusal(422, 'forbidden_group_by'));
    expect(w.words).toBe(fr.problems.forbidden_group_by);
    expect(w.detail).toBe('server detail');
  });

  it('says the same refusal in English once English is chosen', async () => {
    await i18n.changeLanguage('en');
    expect(problemWords(i18n.t, refusal(422, 'rate_grain_too_fine')).words).toBe(en.problems.rate_grain_too_fine);
  });

  it('falls back to the HTTP status when the code is unknown, then to a generic sentence', () => {
    expect(problemWords(i18n.t, refusal(422, 'a_code_nobody_knows')).words).toBe(fr.problems.http_422);
    expect(problemWords(i18n.t, refusal(418)).words).toBe(fr.problems.generic);
    expect(problemWords(i18n.t, new Error('boom')).words).toBe(fr.problems.generic);
  });

  it('has a sentence for every code the query builder can meet, in both languages', () => {
    for (const code of ['column_not_granted', 'forbidden_group_by', 'linkage_key_forbidden', 'unknown_column', 'too_many_cells', 'differencing_risk', 'budget_exhausted', 'rate_grain_too_fine', 'terms_not_stricter', 'invalid_key']) {
      expect(fr.problems).toHaveProperty(code);
      expect((en.problems as Record<string, string>)[code]).not.toBe((fr.problems as Record<string, string>)[code]);
    }
  });

  it('renders the sentence, the server detail and the field errors in an alert', () => {
    render(<ProblemBox error={refusal(422, 'terms_not_stricter', { errors: [{ field: 'terms.disclosure.minCellSize', message: 'may only increase' }] })} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain(fr.problems.terms_not_stricter);
    expect(alert.textContent).toContain('server detail');
    expect(screen.getByText('terms.disclosure.minCellSize')).toBeTruthy();
  });

  it('renders nothing without an error', () => {
    const { container } = render(<ProblemBox error={undefined} />);
    expect(container.innerHTML).toBe('');
  });
});
