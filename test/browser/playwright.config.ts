import { defineConfig } from '@playwright/test';

/**
 * Browser tests of the console: Debian's chromium (no browser download), against the real
 * API, PostgreSQL and Redis booted by global-setup.ts on a fresh database.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: '../../dist/playwright',
  use: {
    viewport: { width: 1200, height: 820 },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CADRE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
});
