import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError, ERROR_CODE_LIST, ErrorCode, HTTP_PROBLEM_CODES, toProblem } from '@cadre/common';
import { REJECTION_CODES } from '@cadre/computations';

/** `- **<status>**: `a`, `b`` lines of docs/api.md's "Error codes" section, as label → codes. */
function documentedCodes(markdown: string): Map<string, string[]> {
  const section = markdown.split('\n## Error codes')[1]?.split('\n## ')[0] ?? '';
  const lists = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const match = /^- \*\*([a-z0-9]+)\*\*: (.+)$/.exec(line);
    if (match) lists.set(match[1], [...match[2].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]));
  }
  return lists;
}

/** A DomainError carrying `code`, answered through the one ProblemFilter mapping. */
function statusOf(code: ErrorCode): number {
  class Probe extends DomainError {
    readonly code = code;
  }
  return toProblem(new Probe('probe')).status;
}

describe("docs/api.md's error codes, against the code's closed lists", () => {
  const documented = documentedCodes(readFileSync(join(__dirname, '..', '..', 'docs', 'api.md'), 'utf8'));

  it('lists every DomainError code exactly once, under the status the ProblemFilter answers for it', () => {
    const byStatus = new Map<string, string[]>();
    for (const code of ERROR_CODE_LIST) byStatus.set(String(statusOf(code)), [...(byStatus.get(String(statusOf(code))) ?? []), code]);
    const fromDocs = new Map([...documented].filter(([label]) => /^\d+$/.test(label)));
    const all = [...fromDocs.values()].flat();
    expect(new Set(all).size).toBe(all.length);
    expect(Object.fromEntries([...fromDocs].map(([s, codes]) => [s, [...codes].sort()]))).toEqual(Object.fromEntries([...byStatus].map(([s, codes]) => [s, [...codes].sort()])));
  });

  it('lists exactly the rejection codes, each a 422 code of the same name', () => {
    expect([...(documented.get('rejection') ?? [])].sort()).toEqual([...REJECTION_CODES].sort());
    for (const code of REJECTION_CODES) expect(statusOf(code)).toBe(422);
  });

  it("lists exactly the HTTP layer's own codes", () => {
    expect([...(documented.get('http') ?? [])].sort()).toEqual([...HTTP_PROBLEM_CODES].sort());
  });
});
