import { useEffect, useRef } from 'react';
import * as Plot from '@observablehq/plot';
import { feature } from 'topojson-client';
import type { Feature, FeatureCollection } from 'geojson';
import topology from 'virtual:herault-topology';
import { useTranslation } from 'react-i18next';
import { partitionCommunes, type MapCell } from '../logic/map-cells';

const communes = feature(topology, topology.objects.communes) as unknown as FeatureCollection;
export const COMMUNE_CODES = new Set(communes.features.map((f) => String(f.properties?.code)));
/** INSEE code → commune name (from the map's own data: nothing fetched). */
export const COMMUNE_NAMES = new Map(communes.features.map((f) => [String(f.properties?.code), String(f.properties?.nom)]));
const HATCH = 'cadre-hatch';

/** One accessible image: the outer element is labelled; Plot's inner groups keep no aria-label of their own. */
function asImage(root: Element, label: string) {
  root.setAttribute('role', 'img');
  root.setAttribute('aria-label', label);
  root.querySelectorAll('[aria-label]').forEach((el) => el !== root && el.removeAttribute('aria-label'));
  root.querySelectorAll('[aria-description]').forEach((el) => el.removeAttribute('aria-description'));
}

/** Adds the hatch pattern to a plot's SVGs and paints the suppressed communes with it. */
function hatch(root: Element) {
  // The plot is an <svg> itself, or a <figure> of several when Plot adds a legend or a title.
  const svgs = root.tagName.toLowerCase() === 'svg' ? [root] : [...root.querySelectorAll('svg')];
  for (const svg of svgs) {
    const group = svg.querySelector('g.cadre-suppressed');
    if (!group) continue;
    const ns = 'http://www.w3.org/2000/svg';
    const defs = document.createElementNS(ns, 'defs');
    defs.innerHTML = `<pattern id="${HATCH}" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)"><rect width="5" height="5" fill="#f4f4f4"/><line x1="0" y1="0" x2="0" y2="5" stroke="#444" stroke-width="1.6"/></pattern>`;
    svg.prepend(defs);
    group.querySelectorAll('path').forEach((p) => p.setAttribute('fill', `url(#${HATCH})`));
    group.setAttribute('fill', `url(#${HATCH})`);
  }
}

export type { MapCell };

/** A choropleth of Hérault: released communes coloured by value, suppressed ones hatched, no data left pale. */
export function HeraultMap({ cells, label, minCellSize }: { cells: MapCell[]; label: string; minCellSize?: number }) {
  const { t, i18n } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const byCode = new Map(cells.map((c) => [c.code, c]));
    const { released, suppressed, missing } = partitionCommunes(communes.features, (f) => String(f.properties?.code), cells);
    const name = (f: Feature) => String(f.properties?.nom);
    const valueOf = (f: Feature) => byCode.get(String(f.properties?.code))?.value ?? null;
    const plot = Plot.plot({
      width: 720,
      height: 520,
      projection: { type: 'mercator', domain: communes },
      color: { type: 'quantile', n: 5, scheme: 'oranges', label, tickFormat: (v: number) => v.toLocaleString(i18n.language, { maximumFractionDigits: 1 }) },
      marks: [
        Plot.geo(missing, { fill: '#ffffff', stroke: '#999', strokeWidth: 0.3, title: (f: Feature) => `${name(f)} — ${t('result.noData')}` }),
        Plot.geo(released, { fill: valueOf, stroke: '#fff', strokeWidth: 0.3, title: (f: Feature) => `${name(f)} : ${valueOf(f)?.toLocaleString(i18n.language)}` }),
        Plot.geo(suppressed, { fill: '#bbb', stroke: '#666', strokeWidth: 0.3, className: 'cadre-suppressed', title: (f: Feature) => `${name(f)} — ${t(`reasons.${byCode.get(String(f.properties?.code))?.reason ?? 'min_cell_size'}`, { min: minCellSize })}` }),
      ],
    });
    hatch(plot);
    asImage(plot, t('result.mapAlt', { label, released: released.length, suppressed: suppressed.length }));
    // The colour legend drawn on its own, wide and at a readable size (Plot's default is 10px).
    const legend = released.length ? plot.legend('color', { width: 420, height: 56, marginTop: 22, style: { fontSize: '13px', overflow: 'visible' } }) : null;
    if (legend) asImage(legend, t('result.legendAlt', { label }));
    ref.current?.replaceChildren(...(legend ? [legend, plot] : [plot]));
  }, [cells, label, minCellSize, t, i18n.language]);
  return <div ref={ref} className="plot map" data-testid="choropleth" />;
}

export function BarChart({ rows, label }: { rows: { key: string; value: number | null; suppressed: boolean }[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const { t, i18n } = useTranslation();
  useEffect(() => {
    const shown = rows.filter((r) => !r.suppressed && r.value != null).sort((a, b) => (b.value ?? 0) - (a.value ?? 0)).slice(0, 25);
    const plot = Plot.plot({
      width: 720,
      height: 40 + shown.length * 22,
      marginLeft: 240,
      style: { fontSize: '12px' },
      x: { label, grid: true, tickFormat: (v: number) => v.toLocaleString(i18n.language) },
      y: { label: null },
      marks: [Plot.barX(shown, { x: 'value', y: 'key', fill: '#c2410c', sort: { y: 'x', reverse: true } }), Plot.ruleX([0])],
    });
    asImage(plot, t('result.barAlt', { label, n: shown.length }));
    ref.current?.replaceChildren(plot);
  }, [rows, label, t, i18n.language]);
  return <div ref={ref} className="plot" />;
}
