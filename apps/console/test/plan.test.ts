import { describe, expect, it } from 'vitest';
import { aliasOf, autoJoinColumn, buildQuery, initialPlan, parseValue, type PlanDataset } from '../src/logic/plan';

const codes = ['34172', '34032', '34301'];
const patients: PlanDataset = {
  id: 'p', name: 'covid_patients', kind: 'person', alias: 'covid_patients',
  columns: [
    { name: 'commune', type: 'category', role: 'quasi_identifier', categories: [...codes].reverse() },
    { name: 'age', type: 'integer', role: 'quasi_identifier' },
    { name: 'icuDays', type: 'integer', role: 'sensitive' },
  ],
};
const communes: PlanDataset = {
  id: 'c', name: 'communes_herault', kind: 'reference', alias: 'communes_herault',
  columns: [
    { name: 'code', type: 'category', role: 'reference_key', categories: codes },
    { name: 'population', type: 'integer', role: 'attribute' },
  ],
};

describe('the query builder’s plan', () => {
  it('builds the founding rate: positives per 1,000 inhabitants by commune, joined on the commune code', () => {
    const q = buildQuery([patients, communes], {
      ...initialPlan(),
      selected: ['p', 'c'],
      groups: [{ column: 'covid_patients.commune', bins: '' }],
      filters: [{ column: 'covid_patients.covidPositive', op: 'eq', value: 'true' }],
      ratePer: 'communes_herault.population',
      rateScale: '1000',
    });
    expect(q).toEqual({
      datasets: [{ datasetId: 'p', as: 'covid_patients' }, { datasetId: 'c', as: 'communes_herault' }],
      where: [{ column: 'covid_patients.covidPositive', op: 'eq', value: true }],
      groupBy: ['covid_patients.commune'],
      measures: [{ fn: 'count' }, { fn: 'rate', of: 'count', per: 'communes_herault.population', scale: 1000 }],
      join: [{ left: 'covid_patients.commune', right: 'communes_herault.code' }],
      totals: false,
      privacy: { mechanism: 'none' },
    });
  });

  it('joins on the column the researcher chose over the automatic one, and none without a reference dataset', () => {
    const state = { ...initialPlan(), selected: ['p', 'c'], joinLeft: 'covid_patients.age' };
    expect(buildQuery([patients, communes], state).join).toEqual([{ left: 'covid_patients.age', right: 'communes_herault.code' }]);
    expect(buildQuery([patients, communes], { ...state, selected: ['p'] }).join).toEqual([]);
    expect(autoJoinColumn([patients, communes], { ...initialPlan(), selected: ['p', 'c'] })).toBe('covid_patients.commune');
  });

  it('turns bins, sums, means, margins and privacy into the API’s shapes', () => {
    const q = buildQuery([patients], { ...initialPlan(), selected: ['p'], count: false, groups: [{ column: 'covid_patients.age', bins: '0, 18,65,111' }], sumOf: 'covid_patients.icuDays', meanOf: 'covid_patients.icuDays', totals: true, mechanism: 'gaussian', epsilon: '0.5', delta: '0.000001' });
    expect(q.groupBy).toEqual([{ column: 'covid_patients.age', bins: [0, 18, 65, 111] }]);
    expect(q.measures).toEqual([{ fn: 'sum', column: 'covid_patients.icuDays' }, { fn: 'mean', column: 'covid_patients.icuDays' }]);
    expect(q.totals).toBe(true);
    expect(q.privacy).toEqual({ mechanism: 'gaussian', epsilon: 0.5, delta: 0.000001 });
    expect(buildQuery([patients], { ...initialPlan(), selected: ['p'], mechanism: 'laplace', epsilon: '1' }).privacy).toEqual({ mechanism: 'laplace', epsilon: 1 });
  });

  it('leaves out empty group-by rows and filters without a column', () => {
    const q = buildQuery([patients], { ...initialPlan(), selected: ['p'], groups: [{ column: '', bins: '' }], filters: [{ column: '', op: 'eq', value: '3' }] });
    expect(q.groupBy).toEqual([]);
    expect(q.where).toEqual([]);
  });

  it('parses filter values: numbers, booleans, lists for in and between', () => {
    expect(parseValue('eq', ' 12 ')).toBe(12);
    expect(parseValue('eq', 'false')).toBe(false);
    expect(parseValue('eq', '34172')).toBe(34172);
    expect(parseValue('in', 'a, b')).toEqual(['a', 'b']);
    expect(parseValue('between', '18,65')).toEqual([18, 65]);
  });

  it('makes aliases the API accepts, unique', () => {
    const taken = new Set<string>();
    expect(aliasOf('covid_patients', taken)).toBe('covid_patients');
    expect(aliasOf('covid_patients', taken)).toBe('covid_patients2');
    expect(aliasOf('communes_herault', taken)).toBe('communes_herault');
    expect(aliasOf('communes_herault', taken)).toBe('communes_heraul2');
    expect(aliasOf('2024-Équipements sportifs', taken)).toMatch(/^[a-z][a-z0-9_]{0,15}$/);
  });
});

describe('a measure in words', () => {
  it('says the planner’s rate label as persons per 1,000 of the reference column, in French and English', async () => {
    const { measureLabel } = await import('../src/logic/measures');
    const i18n = (await import('../src/i18n')).default;
    expect(measureLabel(i18n.t, 'rate(count/communes_herault.population*1000)', 'fr')).toBe('Personnes pour 1\u202f000 de population (communes_herault)');
    expect(measureLabel(i18n.t, 'rate(sum(h.icuDays)/ref.population*100000)', 'fr')).toBe('Somme de icuDays (h) pour 100\u202f000 de population (ref)');
    expect(measureLabel(i18n.t, 'mean(h.icuDays)', 'fr')).toBe('Moyenne de icuDays (h)');
    await i18n.changeLanguage('en');
    expect(measureLabel(i18n.t, 'rate(count/ref.population*1000)', 'en')).toBe('Persons per 1,000 of population (ref)');
    expect(measureLabel(i18n.t, 'count', 'en')).toBe('Number of persons');
  });
});
