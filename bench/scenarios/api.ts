import autocannon from 'autocannon';
import { Measurement } from '../stats';

async function load(url: string, headers: Record<string, string>, seconds: number, connections: number) {
  const result = await autocannon({ url, headers, duration: seconds, connections });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
}

/** Scenario 4 — API: an authenticated list route against /health under the same load. */
export async function apiScenario(input: { baseUrl: string; token: string; seconds: number; connections: number }): Promise<Measurement> {
  const health = await load(`${input.baseUrl}/health`, {}, input.seconds, input.connections);
  const list = await load(`${input.baseUrl}/api/v1/datasets?limit=20`, { authorization: `Bearer ${input.token}` }, input.seconds, input.connections);
  const ratio = list.rps / health.rps;
  return {
    scenario: `API: GET /api/v1/datasets (authenticated) vs GET /health, ${input.connections} connections, ${input.seconds} s each`,
    lines: [
      { label: '/health req/s, p99', value: `${health.rps.toFixed(0)}, ${health.p99} ms` },
      { label: '/api/v1/datasets req/s, p99', value: `${list.rps.toFixed(0)}, ${list.p99} ms` },
      { label: 'non-2xx or errors (health / list)', value: `${health.non2xx} / ${list.non2xx}` },
    ],
    ratio: { label: 'list req/s ÷ health req/s (p99 target ≤ 50 ms)', value: ratio, target: '≥ 0.5', met: ratio >= 0.5 && list.p99 <= 50 && list.non2xx === 0 },
  };
}
