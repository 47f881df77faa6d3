// Proves the lint guards the module boundaries: each fixture below breaks one rule and must be
// reported by eslint.config.mjs, and a clean fixture must pass. Part of `npm run lint` (and so of `npm test`).
// Fixtures are linted as text under the path they pretend to live at; no file is written.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const fixtures = [
  { name: 'deep import of another lib (@cadre/<lib>/…)', file: 'libs/ethics/src/lint-fixture.ts', code: "export { ORG_ROLES } from '@cadre/identity/actor';\n", rule: 'no-restricted-imports' },
  { name: "relative import into another lib's src", file: 'libs/ethics/src/lint-fixture.ts', code: "export { Signer } from '../../identity/src/keys/signer';\n", rule: 'no-restricted-imports' },
  { name: 'an app reaching into a lib by path', file: 'apps/api/src/lint-fixture.ts', code: "export { JobRunner } from '../../../libs/jobs/src/job-runner';\n", rule: 'no-restricted-imports' },
  { name: "an app reaching into another app's internals", file: 'apps/api/src/lint-fixture.ts', code: "export { WorkerModule } from '../../worker/src/worker.module';\n", rule: 'no-restricted-imports' },
  { name: 'layering: a lower lib importing a higher one', file: 'libs/access/src/lint-fixture.ts', code: "export { UsersService } from '@cadre/identity';\n", rule: 'import-x/no-restricted-paths' },
  { name: 'layering: a lib importing an app', file: 'libs/jobs/src/lint-fixture.ts', code: "export { ApiModule } from '../../../apps/api/src/api.module';\n", rule: 'import-x/no-restricted-paths' },
  // jobs.ts rewritten to import job-runner.ts, which imports jobs.ts: a cycle.
  { name: 'a module cycle', file: 'libs/jobs/src/jobs.ts', code: "import { JobRunner } from './job-runner';\nexport const runner = JobRunner;\n", rule: 'import-x/no-cycle' },
  { name: 'the console importing a backend lib', file: 'apps/console/src/lint-fixture.tsx', code: "export { ERROR_CODES } from '@cadre/common';\n", rule: 'no-restricted-imports' },
  { name: 'an explicit any in lib code', file: 'libs/jobs/src/lint-fixture.ts', code: 'export const x: any = 1;\n', rule: '@typescript-eslint/no-explicit-any' },
];
const clean = { name: 'a clean import through the index', file: 'libs/ethics/src/lint-fixture.ts', code: "export { ORG_ROLES } from '@cadre/identity';\n" };

const eslint = new ESLint({ cwd: root });
const lint = async ({ file, code }) => (await eslint.lintText(code, { filePath: path.join(root, file) }))[0].messages;

let failures = 0;
for (const fixture of fixtures) {
  const messages = await lint(fixture);
  const caught = messages.some((m) => m.ruleId === fixture.rule);
  if (!caught) failures++;
  console.log(`${caught ? 'ok  ' : 'FAIL'} lint refuses ${fixture.name} (${fixture.rule})${caught ? '' : `: got ${JSON.stringify(messages.map((m) => m.ruleId))}`}`);
}
const cleanMessages = await lint(clean);
if (cleanMessages.length) failures++;
console.log(`${cleanMessages.length ? 'FAIL' : 'ok  '} lint accepts ${clean.name}${cleanMessages.length ? `: ${JSON.stringify(cleanMessages.map((m) => m.message))}` : ''}`);
process.exit(failures ? 1 : 0);
