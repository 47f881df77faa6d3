import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, Locator, Page } from '@playwright/test';
import { FIXTURE, ROOT } from './global-setup';

export interface Fixture {
  base: string;
  password: string;
  operator: { email: string; password: string };
  users: Record<'committee' | 'recusedCommittee' | 'statisticsAdmin' | 'regionSteward' | 'researcher' | 'hospitalSteward', string>;
  useCases: { covid: string; review: string; pending: string; reviewed: string };
  datasets: { patients: string; communes: string; equipment: string };
  communeCodes: string[];
}

export const fixture = (): Fixture => JSON.parse(readFileSync(FIXTURE, 'utf8'));
const SHOTS = join(ROOT, 'docs/screenshots');

/**
 * Every test: any request for an address other than 127.0.0.1 is blocked and recorded (the
 * test then fails), and at the end no token may sit in localStorage or sessionStorage.
 */
export const test = base.extend<{ fx: Fixture; offsite: string[] }>({
  fx: async ({}, use) => use(fixture()),
  offsite: async ({ context }, use) => {
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1') return route.continue();
      blocked.push(url.href);
      return route.abort('blockedbyclient');
    });
    await use(blocked);
    expect(blocked, 'requests that tried to leave 127.0.0.1').toEqual([]);
  },
  page: async ({ page, offsite }, use) => {
    void offsite;
    await use(page);
    if (page.url().startsWith('http')) {
      const stored = await page.evaluate<string>('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })');
      expect(stored).not.toMatch(/eyJ|token/i);
    }
  },
});
export { expect };

export async function open(page: Page, fx: Fixture, hash: string): Promise<void> {
  await page.goto(`${fx.base}/console/#${hash}`);
}

export async function login(page: Page, fx: Fixture, email: string, password = fx.password): Promise<void> {
  await open(page, fx, '/login');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('main').getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
}

/** No serious or critical accessibility violation on the page as it stands. */
export async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
  expect(bad).toEqual([]);
}

/** A PNG for the README, written to docs/screenshots/: the viewport, the full page, or one element. */
export async function screenshot(page: Page, name: string, what: 'viewport' | 'full' | Locator = 'viewport'): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  if (typeof what === 'string') await page.screenshot({ path, fullPage: what === 'full' });
  else await what.screenshot({ path });
}
