import { fmtMs, Measurement, median, quantile, timed } from '../stats';
import { cpuBetween, CpuMs } from '../target';

/**
 * Scenario 3 — throughput: `total` small computations from `clients` concurrent clients,
 * each submitting, then polling its computation until it is released. `http` is the load
 * generator's client (LeanJsonClient in the benchmark), authenticated as a researcher.
 * A warm-up of the same load comes first, unmeasured (a fresh worker process, or an API
 * that has not yet run this path, spends its first seconds compiling: measured, the first
 * configuration's API used ~1.5 ms more CPU a computation than the second); then `rounds`
 * rounds of `total`, and the median round is reported.
 */
export async function throughputScenario(input: {
  http: { get<T>(path: string): Promise<T>; post<T>(path: string, body: unknown): Promise<T> };
  useCaseId: string;
  datasetId: string;
  persons: number;
  total: number;
  clients: number;
  workers: number;
  /** Measured rounds of `total` computations (the median round's rate is the result); 1 by default. */
  rounds?: number;
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
  let failures = 0;
  /** `count` computations from the clients; their latencies kept when `measured`. */
  const round = (count: number, measured: boolean) => {
    let next = 0;
    const client = async () => {
      while (next < count) {
        next++;
        const latency = await timed(async () => {
          const { id } = await input.http.post<{ id: string }>(`/api/v1/use-cases/${input.useCaseId}/computations`, { query });
          for (;;) {
            const c = await input.http.get<{ status: string }>(`/api/v1/computations/${id}?wait=30`);
            if (c.status === 'released') return;
            if (!['queued', 'running'].includes(c.status)) {
              failures++;
              return;
            }
          }
        });
        if (measured) latencies.push(latency);
      }
    };
    return timed(() => Promise.all(Array.from({ length: input.clients }, client)));
  };
  await round(Math.min(input.total, 10 * input.clients), false);
  const rates: number[] = [];
  const cpu: CpuMs[] = [];
  for (let r = 0; r < (input.rounds ?? 1); r++) {
    const before = input.cpuMs();
    const wall = await round(input.total, true);
    const after = input.cpuMs();
    rates.push(input.total / (wall / 1000));
    cpu.push(cpuBetween(before, after));
  }
  const perComputation = (k: keyof CpuMs) => (median(cpu.map((c) => c[k])) / input.total).toFixed(1);
  const rate = median(rates);
  return {
    scenario: `Throughput: ${input.total} small computations (${input.persons.toLocaleString('en')} persons) from ${input.clients} concurrent clients, API + ${input.workers} worker process${input.workers > 1 ? 'es' : ''}, ${rates.length} round${rates.length > 1 ? 's' : ''} after a warm-up`,
    lines: [
      { label: 'computations/s (median round; every round)', value: `${rate.toFixed(1)} (${rates.map((r) => r.toFixed(1)).join(', ')})` },
      { label: 'latency p50 / p95 / p99 (submit → released, long poll)', value: [0.5, 0.95, 0.99].map((q) => fmtMs(quantile(latencies, q))).join(' / ') },
      { label: 'not released', value: String(failures) },
      {
        label: 'CPU per computation (ms, median round): PostgreSQL, API, worker(s), Redis, benchmark client',
        value: (['postgres', 'api', 'workers', 'redis', 'client'] as const).map(perComputation).join(', '),
      },
    ],
    ratio: { label: 'computations/s', value: rate, target: '≥ 100', met: rate >= 100 && failures === 0 },
  };
}
