import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestPlatform, TestPlatform } from '../support/platform';

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** "METHOD /path" of every route docs/api.md lists in its route tables (`| METHOD | `/path` | …`). */
function documentedRoutes(markdown: string): string[] {
  const routes: string[] = [];
  for (const line of markdown.split('\n')) {
    const match = /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*`([^`]+)`\s*\|/.exec(line);
    if (match) routes.push(`${match[1]} ${match[2]}`);
  }
  return routes;
}

describe('docs/api.md, the API reference in the repository', () => {
  let platform: TestPlatform;
  const markdown = readFileSync(join(__dirname, '..', '..', 'docs', 'api.md'), 'utf8');

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
  });
  afterAll(() => platform.close());

  it('lists exactly the routes of the OpenAPI document (/docs-json), each once', async () => {
    const doc = (await platform.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const served = Object.entries(doc.paths)
      .flatMap(([path, operations]) => Object.keys(operations).filter((m) => HTTP_METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const documented = documentedRoutes(markdown);
    expect(new Set(documented).size).toBe(documented.length);
    expect({ missingFromDocs: served.filter((r) => !documented.includes(r)), notServed: documented.filter((r) => !served.includes(r)) }).toEqual({
      missingFromDocs: [],
      notServed: [],
    });
  });

  it('documents the surfaces outside the OpenAPI document, and they answer', async () => {
    // Bull Board is an Express router, not a Nest route: listed apart, and checked here.
    expect(markdown).toMatch(/`\/admin\/queues`/);
    expect((await platform.http().get('/admin/queues')).status).toBe(401);
  });
});
