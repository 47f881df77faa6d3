/** Jest: unit specs beside the code, end-to-end suites under test/ (real PostgreSQL and Redis). */
const libs = ['config', 'common', 'database', 'identity', 'access', 'audit', 'jobs', 'members', 'ethics', 'contracts', 'datasets', 'computations', 'platform', 'metrics'];
const moduleNameMapper = Object.fromEntries(libs.map((l) => [`^@cadre/${l}$`, `<rootDir>/libs/${l}/src`]));
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const common = { rootDir: __dirname, moduleFileExtensions: ['ts', 'js', 'json'], transform, moduleNameMapper, testEnvironment: 'node' };
module.exports = {
  // A global option: jest ignores testTimeout inside a project. E2E suites boot the platform.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
