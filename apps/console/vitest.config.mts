import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.mjs';

/** Component tests of the console: the app's own Vite config (JSX, the Hérault topology) in happy-dom. */
export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'happy-dom',
      include: ['test/**/*.test.{ts,tsx}'],
      setupFiles: ['test/setup.ts'],
      // One fork: the machine is shared; the suite is small.
      pool: 'forks',
      maxWorkers: 1,
      // The files share one happy-dom and one module graph (the i18n instance is reset after each test in setup.ts).
      isolate: false,
    },
  }),
);
