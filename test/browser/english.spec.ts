import { expect, expectAccessible, login, screenshot, test } from './fixtures';

// Runs after console.spec.ts (files run in name order, one worker): the results it opens exist by then.
test('the console reads well in English: register, result map, contract, committee case file and operator', async ({ page, fx }) => {
  const en = (hash: string) => page.goto(`${fx.base}/console/?lang=en#${hash}`);
  await en('/register');
  await expect(page.getByRole('heading', { level: 1, name: 'Public register of use cases' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await screenshot(page, 'en-register');

  await login(page, fx, fx.users.researcher);
  await en(`/use-cases/${fx.useCases.covid}`);
  await expect(page.getByRole('heading', { name: 'New computation' })).toBeVisible();
  const list = page.getByRole('table', { name: 'Computations of this use case' });
  await list.getByRole('row').filter({ hasText: 'covid_patients.commune' }).first().getByRole('link', { name: 'Open' }).click();
  await expect(page.getByTestId('choropleth').getByRole('img').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/Hatched: commune suppressed —/)).toBeVisible();
  await expect(page.getByText('Base map:')).toBeVisible();
  await expectAccessible(page);
  await page.setViewportSize({ width: 1200, height: 1060 });
  await page.evaluate("document.getElementById('result')?.scrollIntoView()");
  await screenshot(page, 'en-researcher-map');
  await page.setViewportSize({ width: 1200, height: 820 });
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();

  await login(page, fx, fx.users.statisticsAdmin);
  await en('/organisation');
  await page.getByRole('link', { name: /Cartographie du risque COVID par commune/ }).first().click();
  await expect(page.getByText('Any cell of fewer than 15 persons is suppressed.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Terminate the contract' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'en-contract', 'full');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();

  await login(page, fx, fx.users.committee);
  await en(`/committee/${fx.useCases.review}`);
  await expect(page.getByRole('heading', { name: 'Requested data and columns' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'en-committee-dossier', 'full');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();

  await login(page, fx, fx.operator.email, fx.operator.password);
  await en('/operator/usage');
  await expect(page.getByRole('heading', { name: 'Per member' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'en-operator-usage');
});
