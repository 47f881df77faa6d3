import autocannon from 'autocannon';
import { Measurement, median } from '../stats';

async function load(url: string, headers: Record<string, string>, seconds: number, connections: number) {
  const result = await autocannon({ url, headers, duration: seconds, connections });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
}

/** The list route of issue 12: the use cases a researcher sees, one page. */
const LIST = '/api/v1/use-cases?limit=20';

/**
 * Scenario 4 — API: an authenticated list route against /health under the same load
 * (keep-alive connections), in alternating rounds so that both see the same machine; medians.
 */
export async function apiScenario(input: { baseUrl: string; token: string; seconds: number; connections: number; rounds?: number }): Promise<Measurement> {
  const rounds = input.rounds ?? 3;
  const health: Awaited<ReturnType<typeof load>>[] = [];
  const list: Awaited<ReturnType<typeof load>>[] = [];
  for (let i = 0; i < rounds; i++) {
    health.push(await load(`${input.baseUrl}/health`, {}, input.seconds, input.connections));
    list.push(await load(`${input.baseUrl}${LIST}`, { authorization: `Bearer ${input.token}` }, input.seconds, input.connections));
  }
  const rps = (xs: typeof health) => median(xs.map((x) => x.rps));
  const p99 = (xs: typeof health) => median(xs.map((x) => x.p99));
  const failures = (xs: typeof health) => xs.reduce((n, x) => n + x.non2xx, 0);
  const ratio = rps(list) / rps(health);
  return {
    scenario: `API: GET ${LIST} (authenticated) vs GET /health, ${input.connections} keep-alive connections, ${rounds} alternating rounds of ${input.seconds} s each`,
    lines: [
      { label: '/health req/s, p99 (medians)', value: `${rps(health).toFixed(0)}, ${p99(health)} ms` },
      { label: `${LIST} req/s, p99 (medians)`, value: `${rps(list).toFixed(0)}, ${p99(list)} ms` },
      { label: 'non-2xx or errors (health / list)', value: `${failures(health)} / ${failures(list)}` },
    ],
    ratio: { label: 'list req/s ÷ health req/s (p99 target ≤ 50 ms)', value: ratio, target: '≥ 0.5', met: ratio >= 0.5 && p99(list) <= 50 && failures(list) === 0 },
  };
}
