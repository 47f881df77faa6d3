import { DuckDBInstance } from '@duckdb/node-api';
import { Client } from 'pg';
import { CadreClient } from '../../scripts/demo/client';
import { submitComputation } from '../../scripts/demo/scenario';
import { fmtMs, Measurement, median, timed } from '../stats';

/** The vault table of a dataset's current version (the benchmark reads the catalogue as the owner). */
export async function currentTable(owner: Client, datasetId: string): Promise<string> {
  const { rows } = await owner.query<{ table_name: string }>(
    `SELECT v.table_name FROM cadre.datasets d JOIN cadre.dataset_versions v ON v.id = d.current_version_id WHERE d.id = $1`,
    [datasetId],
  );
  if (!rows.length) throw new Error(`dataset ${datasetId} has no current version`);
  return rows[0].table_name;
}

/**
 * Waits until the platform's background jobs are done (the outbox has nothing unfinished): each
 * upload enqueues a quality measurement that reads the whole new version, and one still running
 * would slow whichever of the platform or the floor it overlaps.
 */
export async function quiesce(owner: Client, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM cadre.outbox WHERE status IN ('pending', 'published')`);
    if (rows[0].n === 0) return;
    if (Date.now() > deadline) throw new Error(`background jobs still unfinished after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Scenario 1 — linked aggregate: two person-level datasets joined on the pseudonym,
 * grouped by commune × income band, count + sum + mean. Platform: submission to released
 * result. Floor: the same aggregate as hand-written SQL through `pg` on the same database.
 * Reference: DuckDB on the same CSV files.
 */
export async function linkedAggregateScenario(input: {
  researcher: CadreClient;
  useCaseId: string;
  patients: string;
  households: string;
  ownerUrl: string;
  files: { patients: string; households: string };
  persons: number;
  runs: number;
  /** Peak resident memory of the platform's processes, read after the runs. */
  peakMemory: () => { api: number; workers: number[] };
}): Promise<Measurement> {
  const query = {
    datasets: [{ datasetId: input.patients, as: 'h' }, { datasetId: input.households, as: 's' }],
    where: [],
    groupBy: ['h.commune', 's.incomeBand'],
    measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 'h.icuDays' }],
    join: [],
    totals: false,
    privacy: { mechanism: 'none' },
  };
  const owner = new Client({ connectionString: input.ownerUrl });
  await owner.connect();
  const [ph, hh] = [await currentTable(owner, input.patients), await currentTable(owner, input.households)];
  const floorSql = `SELECT h.commune, s."incomeBand", count(*) AS n, sum(h."icuDays") AS total, avg(h."icuDays") AS mean
    FROM vault."${ph}" h JOIN vault."${hh}" s ON s."nationalId" = h."nationalId" GROUP BY 1, 2`;
  // The SQL the cell key method adds to the floor: each cell's sum of record keys (rule 3).
  const cellKeySql = floorSql.replace('AS mean', `AS mean, sum((hashtextextended(h."nationalId", 1234567890123) >> 32)::integer) AS ck`);

  await quiesce(owner);

  const duck = await DuckDBInstance.create(':memory:');
  const dc = await duck.connect();
  await dc.run(`CREATE TABLE h AS SELECT * FROM read_csv('${input.files.patients}', header = true)`);
  await dc.run(`CREATE TABLE s AS SELECT * FROM read_csv('${input.files.households}', header = true)`);
  const duckSql = `SELECT h.commune, s.incomeBand, count(*), sum(h.icuDays), avg(h.icuDays) FROM h JOIN s ON s.nationalId = h.nationalId GROUP BY 1, 2`;

  const platform: number[] = [];
  const floor: number[] = [];
  // The platform runs vault queries with JIT off (measured faster); the floor is timed both
  // on the server's defaults and with JIT off, so the ratio hides nothing.
  const floorNoJit: number[] = [];
  const floorCellKey: number[] = [];
  const duckdb: number[] = [];
  let cells = 0;
  let suppressed = 0;
  try {
    for (let run = 0; run < input.runs; run++) {
      platform.push(
        await timed(async () => {
          const view = await submitComputation(input.researcher, input.useCaseId, query);
          if (view.status !== 'released') throw new Error(`benchmark computation ended ${view.status}: ${JSON.stringify(view.rejection)}`);
          cells = view.result!.rows.length;
          suppressed = view.result!.rows.filter((r) => r.suppressed).length;
        }),
      );
      floor.push(await timed(() => owner.query(floorSql)));
      await owner.query('SET jit = off');
      floorNoJit.push(await timed(() => owner.query(floorSql)));
      floorCellKey.push(await timed(() => owner.query(cellKeySql)));
      await owner.query('RESET jit');
      duckdb.push(await timed(() => dc.runAndReadAll(duckSql)));
    }
  } finally {
    await owner.end();
    dc.closeSync();
  }
  const ratio = median(platform) / median(floor);
  // The issue's targets: at or under 1.15 × hand SQL at 1M persons, 1.2 × at 10M.
  const target = input.persons >= 10_000_000 ? 1.2 : 1.15;
  const memory = input.peakMemory();
  return {
    scenario: `Linked aggregate: 2 × ${input.persons.toLocaleString('en')} persons, 341 communes × 3 bands, count + sum + mean, ${input.runs} runs`,
    lines: [
      { label: 'platform: submission → released result (median)', value: fmtMs(median(platform)) },
      { label: 'floor: hand-written SQL via pg, server defaults (median)', value: fmtMs(median(floor)) },
      { label: 'floor with JIT off, as the platform runs (median); ratio to it', value: `${fmtMs(median(floorNoJit))}; ${(median(platform) / median(floorNoJit)).toFixed(2)}` },
      { label: 'floor with JIT off plus the cell keys (rule 3), the SQL perturbation adds (median); ratio to it', value: `${fmtMs(median(floorCellKey))}; ${(median(platform) / median(floorCellKey)).toFixed(2)}` },
      { label: 'reference: DuckDB on the same data, in memory (median)', value: fmtMs(median(duckdb)) },
      { label: 'cells of the declared domain released / suppressed (perturbed, whole domain)', value: `${cells - suppressed} / ${suppressed}` },
      { label: 'peak resident memory since start (VmHWM): API process; worker process(es)', value: `${memory.api.toFixed(0)} MiB; ${memory.workers.map((m) => `${m.toFixed(0)} MiB`).join(', ')}` },
    ],
    ratio: { label: 'platform / raw SQL', value: ratio, target: `≤ ${target}`, met: ratio <= target },
  };
}
