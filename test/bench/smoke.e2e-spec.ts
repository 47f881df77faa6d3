import { AddressInfo } from 'node:net';
import { runBench, SMOKE } from '../../bench/run';
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
    const results = await runBench(
      { baseUrl: `http://127.0.0.1:${port}`, ownerUrl: platform.config.databaseUrl('owner'), admin: ADMIN, close: async () => undefined },
      SMOKE,
      () => undefined,
    );
    expect(results.map((r) => r.scenario.split(':')[0])).toEqual(['Ingest', 'Linked aggregate', 'Throughput', 'API']);
    for (const r of results) {
      expect(r.ratio).toBeDefined();
      expect(Number.isFinite(r.ratio!.value)).toBe(true);
      expect(r.ratio!.value).toBeGreaterThan(0);
    }
    const throughput = results[2];
    expect(throughput.lines.find((l) => l.label === 'not released')?.value).toBe('0');
  }, 300_000);
});
