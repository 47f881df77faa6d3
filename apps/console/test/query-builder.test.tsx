import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { QueryBuilder } from '../src/pages/query-builder';
import { fr } from '../src/locales/fr';

const codes = ['34172', '34032'];
const catalogue = {
  items: [
    { id: 'p', name: 'covid_patients', kind: 'person', columns: [{ name: 'nationalId', type: 'text', role: 'linkage_key' }, { name: 'commune', type: 'category', role: 'quasi_identifier', categories: codes }, { name: 'covidPositive', type: 'boolean', role: 'sensitive' }] },
    { id: 'c', name: 'communes_herault', kind: 'reference', columns: [{ name: 'code', type: 'category', role: 'reference_key', categories: codes }, { name: 'population', type: 'integer', role: 'attribute' }] },
  ],
  total: 2,
};
const useCase = { id: 'u', requestedDatasets: [{ datasetId: 'p', columns: ['commune', 'covidPositive'] }, { datasetId: 'c', columns: ['code', 'population'] }] };

/** The catalogue the builder loads, and the API's answer to the submission. */
function stubApi(answer: { status: number; body: object }) {
  const sent: { url: string; body?: string }[] = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    sent.push({ url, body: init?.body as string | undefined });
    if (url.startsWith('/api/v1/datasets')) return new Response(JSON.stringify(catalogue), { status: 200, headers: { 'content-type': 'application/json' } });
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/problem+json' } });
  });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

async function buildRate() {
  await screen.findByText('covid_patients');
  const checkbox = (name: string) => within(screen.getByText(name).closest('label')!).getByRole('checkbox');
  fireEvent.click(checkbox('covid_patients'));
  fireEvent.click(checkbox('communes_herault'));
  fireEvent.change(screen.getByLabelText('Regroupement 1'), { target: { value: 'covid_patients.commune' } });
  fireEvent.change(screen.getByLabelText('Taux pour (population de référence)'), { target: { value: 'communes_herault.population' } });
}

describe('the query builder', () => {
  it('shows the plan it will send: the rate per 1,000 inhabitants, joined on the commune code, over the granted columns only', async () => {
    stubApi({ status: 202, body: { id: 'k' } });
    render(<QueryBuilder useCase={useCase} onSubmitted={() => undefined} />);
    await buildRate();
    const plan = JSON.parse(screen.getByText(/"datasets"/).textContent!);
    expect(plan.measures).toEqual([{ fn: 'count' }, { fn: 'rate', of: 'count', per: 'communes_herault.population', scale: 1000 }]);
    expect(plan.join).toEqual([{ left: 'covid_patients.commune', right: 'communes_herault.code' }]);
    expect(plan.groupBy).toEqual(['covid_patients.commune']);
    const options = [...(screen.getByLabelText('Regroupement 1') as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(['', 'covid_patients.commune', 'covid_patients.covidPositive', 'communes_herault.code', 'communes_herault.population']);
  });

  it('sends that plan, and says a 422 in words', async () => {
    const sent = stubApi({ status: 422, body: { status: 422, code: 'rate_grain_too_fine', detail: 'a rate’s cells may not be finer than its reference key' } });
    const submitted = vi.fn();
    render(<QueryBuilder useCase={useCase} onSubmitted={submitted} />);
    await buildRate();
    fireEvent.click(screen.getByRole('button', { name: 'Lancer le calcul' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain(fr.problems.rate_grain_too_fine));
    const post = sent.find((s) => s.url === '/api/v1/use-cases/u/computations')!;
    expect(JSON.parse(post.body!).query.measures).toContainEqual({ fn: 'rate', of: 'count', per: 'communes_herault.population', scale: 1000 });
    expect(submitted).not.toHaveBeenCalled();
  });
});
