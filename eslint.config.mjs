// ESLint (flat config) for the backend: apps/api, apps/worker, apps/cli, libs, scripts, bench, test.
// A modest, syntax-only rule set (no type information), so that `npm run lint` stays fast:
// the module boundaries of README "Architecture" and docs/internal-interfaces.md, plus a few
// TypeScript rules. apps/console (the React app) gets the same cycle and TypeScript rules, and may
// not import the backend (it talks to it over HTTP only).
import { createNodeResolver, flatConfigs as importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The lib layering: a lib imports only libs of a LOWER layer, through `@cadre/<lib>`.
 * Changing it is an architecture decision: update README and docs/internal-interfaces.md too.
 */
export const LAYERS = [
  ['config', 'common', 'metrics'],
  ['database', 'access', 'jobs'],
  ['platform', 'audit'],
  ['identity'],
  ['members'],
  ['datasets'],
  ['ethics'],
  ['contracts'],
  ['computations'],
];

const layerOf = (lib) => LAYERS.findIndex((layer) => layer.includes(lib));
const allLibs = LAYERS.flat();

/** import-x/no-restricted-paths zones: each lib may not import its own layer or any layer above. */
const layeringZones = allLibs.flatMap((lib) =>
  allLibs
    .filter((other) => other !== lib && layerOf(other) >= layerOf(lib))
    .map((other) => ({
      target: `./libs/${lib}/src`,
      from: `./libs/${other}/src`,
      message: `layering: '${lib}' (layer ${layerOf(lib)}) may not import '${other}' (layer ${layerOf(other)}); see docs/internal-interfaces.md`,
    })),
);
/** Lib code (not its unit specs, which may share test fixtures) never imports an app, a test or a script. */
const libCodeZones = [...layeringZones, { target: './libs', from: ['./apps', './test', './scripts', './bench'], message: 'a lib never imports an app, a test or a script' }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'apps/console/geo/**', 'bench/data/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts', 'apps/console/**/*.tsx'],
    extends: [importX.typescript],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module', parserOptions: { ecmaFeatures: { jsx: true } } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    settings: {
      // Resolves `@cadre/<lib>` through tsconfig.json's paths, as tsc does.
      'import-x/resolver-next': [createNodeResolver({ tsconfig: { configFile: './tsconfig.json' }, extensions: ['.ts', '.js', '.json', '.d.ts'] })],
    },
    rules: {
      // The rules of importX.typescript that need no type information and earn their time.
      'import-x/no-unresolved': 'off', // tsc already reports these
      'import-x/named': 'off',
      'import-x/namespace': 'off',
      'import-x/default': 'off',
      'import-x/no-named-as-default': 'off',
      'import-x/no-named-as-default-member': 'off',
      'import-x/no-duplicates': 'error',
      // No module cycles, within a lib or across libs.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': ['error', { zones: layeringZones }],
      // TypeScript: a few cheap rules.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // End-to-end tests read untyped JSON answers (supertest's body is `any`) and assert their shape.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['libs/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: libCodeZones }] },
  },
  {
    // Libs reach another lib only through its index: no `@cadre/<lib>/…`, no relative path into another lib or app.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@cadre/*/**'], message: 'deep import: import the lib through its index, `@cadre/<lib>`' },
            { regex: '^(\\.\\./)+(libs/)?[a-z-]+/src(/|$)', message: "relative import into another lib's or app's src: import `@cadre/<lib>` instead" },
          ],
        },
      ],
    },
  },
  {
    // Apps too, and an app composes another app only through that app's public entry (its src/index.ts,
    // e.g. `../../worker/src` for the single-node entry), never its internals.
    files: ['apps/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@cadre/*/**'], message: 'deep import: import the lib through its index, `@cadre/<lib>`' },
            { regex: '^(\\.\\./)+libs/', message: "relative import into a lib: import `@cadre/<lib>` instead" },
            { regex: '^(\\.\\./)+[a-z-]+/src/.', message: "relative import into another app's internals: import its public entry (`<app>/src`) instead" },
          ],
        },
      ],
    },
  },
  {
    // The console is a browser app: it reaches the platform through the HTTP API, never by importing
    // a lib or another app (which would also pull server code into the bundle).
    files: ['apps/console/**/*.ts', 'apps/console/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@cadre/*', '@cadre/*/**'], message: 'the console talks to the platform over HTTP only: no backend lib in the bundle' },
            { regex: '^(\\.\\./)+(libs|apps|scripts|bench)/', message: 'the console imports nothing outside apps/console' },
          ],
        },
      ],
    },
  },
);
