import { fmtMs, Measurement, quantile, timed } from '../stats';
import type { CpuMs } from '../target';

/**
 * Scenario 3 — throughput: `total` small computations from `clients` concurrent clients,
 * each submitting, then polling its computation until it is released. `http` is the load
 * generator's client (LeanJsonClient in the benchmark), authenticated as a researcher.
 */
export async function throughputScenario(input: {
  http: { get<T>(path: string): Promise<T>; post<T>(path: string, body: unknown): Promise<T> };
  useCaseId: string;
  datasetId: string;
  persons: number;
  total: number;
  clients: number;
  workers: number;
  /** Cumulative CPU of the platform's processes (Target.cpuMs): where each computation's CPU goes. */
  cpuMs: () => CpuMs;
}): Promise<Measurement> {
  const query = {
    datasets: [{ datasetId: input.datasetId, as: 's' }],
    where: [],
    groupBy: ['s.incomeBand'],
    measures: [{ fn: 'count' }],
    join: [],
    totals: false,
    privacy: { mechanism: 'none' },
  };
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const client = async () => {
    while (next < input.total) {
      next++;
      latencies.push(
        await timed(async () => {
          const { id } = await input.http.post<{ id: string }>(`/api/v1/use-cases/${input.useCaseId}/computations`, { query });
          for (;;) {
            const c = await input.http.get<{ status: string }>(`/api/v1/computations/${id}?wait=30`);
            if (c.status === 'released') return;
            if (!['queued', 'running'].includes(c.status)) {
              failures++;
              return;
            }
          }
        }),
      );
    }
  };
  const before = input.cpuMs();
  const wall = await timed(() => Promise.all(Array.from({ length: input.clients }, client)));
  const after = input.cpuMs();
  const perComputation = (k: keyof CpuMs) => ((after[k] - before[k]) / input.total).toFixed(1);
  const rate = input.total / (wall / 1000);
  return {
    scenario: `Throughput: ${input.total} small computations (${input.persons.toLocaleString('en')} persons) from ${input.clients} concurrent clients, API + ${input.workers} worker process${input.workers > 1 ? 'es' : ''}`,
    lines: [
      { label: 'computations/s', value: rate.toFixed(1) },
      { label: 'latency p50 / p95 / p99 (submit → released, long poll)', value: [0.5, 0.95, 0.99].map((q) => fmtMs(quantile(latencies, q))).join(' / ') },
      { label: 'not released', value: String(failures) },
      {
        label: 'CPU per computation (ms): PostgreSQL, API, worker(s), Redis, benchmark client',
        value: (['postgres', 'api', 'workers', 'redis', 'client'] as const).map(perComputation).join(', '),
      },
    ],
    ratio: { label: 'computations/s', value: rate, target: '≥ 100', met: rate >= 100 && failures === 0 },
  };
}
