import { INestApplicationContext } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, ModulesContainer } from '@nestjs/core';
import { startTestPlatform, TestPlatform } from '../support/platform';

/** Controllers of every module the app booted (DiscoveryService, as Nest's own tooling reads them). */
function controllerNames(app: INestApplicationContext): string[] {
  return new DiscoveryService(app.get(ModulesContainer)).getControllers().map((w) => w.name);
}

/** Providers registered as APP_GUARD (Nest keys them 'APP_GUARD (UUID: …)'), in any module. */
function appGuardProviders(app: INestApplicationContext): string[] {
  const found: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const [token, wrapper] of module.providers) if (typeof token === 'string' && token.startsWith('APP_GUARD')) found.push(String(wrapper.metatype?.name));
  }
  return found;
}

/** Every provider class the app booted, by name. */
function providerNames(app: INestApplicationContext): string[] {
  return new DiscoveryService(app.get(ModulesContainer)).getProviders().map((w) => String(w.name));
}

const globalGuards = (app: INestApplicationContext) => app.get(ApplicationConfig, { strict: false }).getGlobalGuards().map((g) => g.constructor.name);

describe('the worker process boots no HTTP surface (issue 11)', () => {
  describe('WorkerModule alone, on real PostgreSQL and Redis', () => {
    let platform: TestPlatform;
    beforeAll(async () => {
      platform = await startTestPlatform({ apiless: true });
    });
    afterAll(() => platform.close());

    it('registers no controller', () => {
      expect(controllerNames(platform.app)).toEqual([]);
    });

    it('registers no global guard, no login throttle', () => {
      expect(appGuardProviders(platform.app)).toEqual([]);
      expect(globalGuards(platform.app)).toEqual([]);
      expect(providerNames(platform.app)).not.toEqual(expect.arrayContaining(['LoginThrottle']));
      expect(providerNames(platform.app).filter((n) => /Guard$|Throttle/.test(n))).toEqual([]);
    });

    it('still runs every job handler (booting checks each required job has one)', () => {
      expect(providerNames(platform.app)).toEqual(expect.arrayContaining(['RunComputationHandler', 'ExpireContractsHandler', 'UseCaseExpiryHandler', 'SweepUploadsHandler', 'AuditCheckpointHandler']));
    });
  });

  describe('ApiModule alone (the control: the probes above do see an HTTP surface)', () => {
    let platform: TestPlatform;
    beforeAll(async () => {
      platform = await startTestPlatform({ worker: false });
    });
    afterAll(() => platform.close());

    it('registers the controllers and the three global guards, authentication first', () => {
      expect(controllerNames(platform.app)).toEqual(expect.arrayContaining(['AuthController', 'UseCasesController', 'ContractsController', 'OrganisationsController']));
      expect(globalGuards(platform.app)).toEqual(['AuthGuard', 'PoliciesGuard', 'MemberStandingGuard']);
    });

    it('runs no job handler', () => {
      expect(providerNames(platform.app).filter((n) => n.endsWith('Handler'))).toEqual([]);
    });
  });
});
