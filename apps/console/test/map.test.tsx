import { describe, expect, it } from 'vitest';
import { render, waitFor } from '@testing-library/react';
import i18n from '../src/i18n';
import { HeraultMap, COMMUNE_CODES } from '../src/pages/map';
import { partitionCommunes, suppressionReasons } from '../src/logic/map-cells';

describe('the choropleth’s cells', () => {
  const features = ['a', 'b', 'c', 'd', 'e'];
  it('colours released values, hatches suppressed cells, leaves the rest as no data', () => {
    const p = partitionCommunes(features, (f) => f, [
      { code: 'a', value: 12, suppressed: false },
      { code: 'b', value: null, suppressed: true, reason: 'min_cell_size' },
      { code: 'c', value: 7, suppressed: true, reason: 'secondary' },
      { code: 'd', value: null, suppressed: false },
    ]);
    expect(p.released).toEqual(['a']);
    expect(p.suppressed).toEqual(['b', 'c']);
    expect(p.missing).toEqual(['d', 'e']);
  });

  it('gives every distinct suppression reason once, in words, with the threshold', () => {
    const rows = [{ suppressed: true }, { suppressed: true, reason: 'min_cell_size' }, { suppressed: true, reason: 'secondary' }, { suppressed: false, reason: 'dominance' }];
    expect(suppressionReasons(i18n.t, rows, 15)).toEqual(['secret statistique : moins de 15 personnes', 'masquée par précaution, pour qu’on ne puisse pas la déduire des totaux']);
    expect(suppressionReasons(i18n.t, [{ suppressed: true, reason: 'new_rule' }], 15)).toEqual(['masquée par les règles de protection']);
  });
});

describe('the map of Hérault', () => {
  it('draws the suppressed communes hatched, a readable colour legend, and says so to a screen reader', async () => {
    const codes = [...COMMUNE_CODES];
    expect(codes.length).toBeGreaterThan(300);
    const cells = codes.slice(0, 40).map((code, i) => ({ code, value: i % 4 === 0 ? null : i * 3, suppressed: i % 4 === 0, reason: 'min_cell_size' }));
    const { getByTestId } = render(<HeraultMap cells={cells} label="Taux pour 1 000 habitants" minCellSize={15} />);
    const root = getByTestId('choropleth');
    await waitFor(() => expect(root.querySelector('g.cadre-suppressed')).not.toBeNull());
    const hatched = root.querySelectorAll('g.cadre-suppressed path');
    expect(hatched.length).toBe(10);
    for (const p of hatched) expect(p.getAttribute('fill')).toBe('url(#cadre-hatch)');
    expect(root.querySelector('pattern#cadre-hatch')).not.toBeNull();
    const images = [...root.querySelectorAll('[role="img"]')].map((e) => e.getAttribute('aria-label'));
    expect(images).toContain('Carte de l’Hérault par commune : Taux pour 1 000 habitants. 30 communes publiées, 10 masquées (hachurées).');
    expect(images).toContain('Légende des couleurs : Taux pour 1 000 habitants, de la plus faible à la plus forte valeur.');
    // The legend is drawn at 13px, not Plot's 10px default.
    const legend = [...root.children].find((e) => e.getAttribute('aria-label')?.startsWith('Légende')) as HTMLElement;
    expect(legend.getAttribute('style') ?? '').toMatch(/font-size: 13px/);
    // A suppressed commune's tooltip says why, with the threshold.
    expect(root.querySelector('g.cadre-suppressed title')?.textContent).toMatch(/moins de 15 personnes/);
  });
});
