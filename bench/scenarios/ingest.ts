import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CadreClient } from '../../scripts/demo/client';
import { awaitUpload } from '../../scripts/demo/members';
import type { LeanJsonClient } from '../http-client';
import { fmtMs, Measurement, median, timed } from '../stats';
import { PATIENT_COLUMNS } from '../data';
import { cpuBetween, CpuMs } from '../target';

/**
 * Scenario 2 — ingest: the CSV through the upload route until queryable (validated,
 * pseudonymised, COPY'd, finalised) vs a plain COPY of the same file into an unindexed table.
 * The file goes up as `curl --data-binary` would send it (node:http, its length known): the
 * client shares the two cores with the platform, and `fetch` streaming it took ~0.2 s of CPU.
 */
export async function ingestScenario(
  steward: CadreClient,
  uploader: LeanJsonClient,
  ownerUrl: string,
  file: string,
  rows: number,
  communes: string[],
  runs: number,
  cpuMs: () => CpuMs,
): Promise<{ measurement: Measurement; datasetId: string }> {
  const platform: number[] = [];
  const floor: number[] = [];
  let datasetId = '';
  const cpu: CpuMs[] = [];
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    for (let run = 0; run < runs; run++) {
      const dataset = await steward.post<{ id: string }>('/api/v1/datasets', { name: `bench_patients_${run}`, description: 'benchmark', columns: PATIENT_COLUMNS(communes) });
      const before = cpuMs();
      platform.push(
        await timed(async () => {
          const upload = await uploader.upload<{ id: string }>(`/api/v1/datasets/${dataset.id}/uploads`, file);
          await awaitUpload(steward, dataset.id, upload.id);
        }),
      );
      const after = cpuMs();
      cpu.push(cpuBetween(before, after));
      datasetId = dataset.id;
      await owner.query(`DROP TABLE IF EXISTS public.bench_floor_copy`);
      await owner.query(`CREATE TABLE public.bench_floor_copy ("nationalId" text, commune text, age integer, "icuDays" integer)`);
      floor.push(
        await timed(() => pipeline(createReadStream(file), owner.query(copyFrom(`COPY public.bench_floor_copy FROM STDIN WITH (FORMAT csv, HEADER true)`)))),
      );
    }
    await owner.query(`DROP TABLE IF EXISTS public.bench_floor_copy`);
  } finally {
    await owner.end();
  }
  const ratio = median(platform) / median(floor);
  return {
    datasetId,
    measurement: {
      scenario: `Ingest: ${rows.toLocaleString('en')}-row CSV, ${runs} runs`,
      lines: [
        { label: 'platform: upload route until queryable (median)', value: fmtMs(median(platform)) },
        { label: 'floor: plain COPY into an unindexed table (median)', value: fmtMs(median(floor)) },
        { label: 'platform rows/s', value: Math.round(rows / (median(platform) / 1000)).toLocaleString('en') },
        {
          label: 'platform CPU per run (s, medians): PostgreSQL, API (parsing, pseudonymising, COPY), worker(s), Redis, benchmark client',
          value: (['postgres', 'api', 'workers', 'redis', 'client'] as const).map((k) => (median(cpu.map((c) => c[k])) / 1000).toFixed(2)).join(', '),
        },
      ],
      ratio: { label: 'platform / COPY', value: ratio, target: '≤ 5', met: ratio <= 5 }, // issue 12's goal
    },
  };
}
