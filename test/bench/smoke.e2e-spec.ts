import { AddressInfo } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { runBench, SMOKE } from '../../bench/run';
import { startWorkerFor } from '../support/dataplane';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';

describe('benchmark smoke run (tiny sizes)', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ env: { CADRE_MAX_COMPUTATIONS: '1000', CADRE_AUTH_RATE_LIMIT: '10000' } });
    await platform.app.listen(0, '127.0.0.1');
  });
  afterAll(() => platform?.close());

  it('runs every scenario against the platform and its floor and reports a ratio for each', async () => {
    const { port } = platform.app.getHttpServer().address() as AddressInfo;
    // The platform's own worker, plus worker-only applications on the same queues.
    const extraWorkers: INestApplicationContext[] = [];
    const scaleWorkers = async (count: number) => {
      while (extraWorkers.length < count - 1) extraWorkers.push(await startWorkerFor(platform));
      await Promise.all(extraWorkers.splice(Math.max(0, count - 1)).map((w) => w.close()));
    };
    const results = await runBench(
      { baseUrl: `http://127.0.0.1:${port}`, ownerUrl: platform.config.databaseUrl('owner'), admin: ADMIN, scaleWorkers, peakMemory: () => ({ api: process.memoryUsage().rss / 2 ** 20, workers: [] }),
        // API, workers and clients share this process here; the services' shares are not measured in the smoke run.
        cpuMs: () => ({ api: (process.cpuUsage().user + process.cpuUsage().system) / 1000, workers: 0, postgres: 0, redis: 0, client: 0 }),
        close: async () => undefined },
      SMOKE,
      () => undefined,
    );
    expect(results.map((r) => r.scenario.split(':')[0])).toEqual(['Ingest', 'Linked aggregate', 'Throughput', 'Throughput', 'API']);
    expect(results.filter((r) => r.scenario.startsWith('Throughput')).map((r) => /(\d) worker/.exec(r.scenario)?.[1])).toEqual(['1', '2']);
    for (const r of results) {
      expect(r.ratio).toBeDefined();
      expect(Number.isFinite(r.ratio!.value)).toBe(true);
      expect(r.ratio!.value).toBeGreaterThan(0);
    }
    for (const throughput of results.filter((r) => r.scenario.startsWith('Throughput'))) {
      expect(throughput.lines.find((l) => l.label === 'not released')?.value).toBe('0');
    }
  }, 300_000);
});
