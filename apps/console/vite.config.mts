import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { topology } from 'topojson-server';
import { merge } from 'topojson-client';

const here = dirname(fileURLToPath(import.meta.url));

/** 2018 communes since merged into another (communes déléguées): child → parent. */
const MERGED: Record<string, string> = { '34093': '34144', '34330': '34246' };
const VIRTUAL = 'virtual:herault-topology';

/** Builds the TopoJSON of Hérault's communes at build time from the GeoJSON shipped in geo/. */
function heraultTopology(): Plugin {
  return {
    name: 'herault-topology',
    resolveId: (id) => (id === VIRTUAL ? '\0' + VIRTUAL : null),
    load(id) {
      if (id !== '\0' + VIRTUAL) return null;
      const geo = JSON.parse(readFileSync(resolve(here, 'geo/communes-34-herault.geojson'), 'utf8'));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const first = topology({ communes: geo }, 1e5) as any;
      const geometries: { properties?: { code: string; nom: string } }[] = first.objects.communes.geometries;
      const groups = new Map<string, typeof geometries>();
      for (const g of geometries) {
        const code = MERGED[g.properties!.code] ?? g.properties!.code;
        groups.set(code, [...(groups.get(code) ?? []), g]);
      }
      const features = [...groups.entries()].map(([code, parts]) => {
        const parent = parts.find((p) => p.properties!.code === code) ?? parts[0];
        return { type: 'Feature', properties: { code, nom: parent.properties!.nom }, geometry: parts.length === 1 ? undefined : merge(first as never, parts as never) };
      });
      // Re-encode: unmerged communes keep their original geometry, merged ones their union.
      const collection = {
        type: 'FeatureCollection',
        features: features.map((f, i) => ({ ...f, geometry: f.geometry ?? geo.features.find((g: { properties: { code: string } }) => g.properties.code === [...groups.keys()][i]).geometry })),
      };
      return `export default ${JSON.stringify(topology({ communes: collection as never }, 1e4))};`;
    },
  };
}

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [heraultTopology()],
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: resolve(here, '../../dist/console'), emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
