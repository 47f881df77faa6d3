import { expect, expectAccessible, login, open, screenshot, test } from './fixtures';

test('the public reads the register and the charter, in French then in English', async ({ page, fx }) => {
  await open(page, fx, '/register');
  await expect(page.getByRole('heading', { level: 1, name: 'Registre public des cas d’usage' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Cartographie du risque COVID par commune' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expectAccessible(page);
  await screenshot(page, 'register');

  await page.getByRole('link', { name: 'Cartographie du risque COVID par commune' }).click();
  await expect(page.getByText('Au moins 15 personnes par cellule publiée')).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByText('At least 15 persons in every released cell')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('link', { name: 'Charter' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Charte éthique Cadre' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Français' }).click();
  await expect(page.getByRole('link', { name: 'Registre public' })).toBeVisible();
});

test('a committee member votes with conditions; a recused one is told why', async ({ page, fx }) => {
  await login(page, fx, fx.users.recusedCommittee);
  await open(page, fx, `/committee/${fx.useCases.review}`);
  await expect(page.getByText('Votre organisation est partie à ce dossier')).toBeVisible();
  await page.getByLabel('Commentaire').fill('Nous soutenons');
  await page.getByRole('button', { name: 'Voter' }).click();
  await expect(page.getByText('Vote refusé : vous êtes déporté(e).')).toBeVisible();
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page.getByRole('link', { name: 'Se connecter' })).toBeVisible();

  await login(page, fx, fx.users.committee);
  await expect(page.getByRole('heading', { level: 1, name: 'Dossiers à examiner' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Séjours en réanimation par tranche d’âge' }).click();
  await expect(page.getByRole('heading', { name: 'Données et colonnes demandées' })).toBeVisible();
  await page.locator('label.radio', { hasText: 'Approuver' }).click();
  await expect(page.getByRole('radio', { name: 'Approuver' })).toBeChecked();
  await page.getByLabel('Commentaire').fill('Proportionné, sous conditions');
  await page.getByLabel('Taille minimale des cellules').fill('20');
  await page.getByLabel('Arrondi').fill('5');
  await page.getByLabel('Croisement interdit : colonne').selectOption({ label: 'age (covid_patients)' });
  await page.getByLabel('avec la colonne').selectOption({ label: 'icuDays (covid_patients)' });
  await page.getByLabel('Publication des résultats').selectOption('provider_review');
  await expectAccessible(page);
  await screenshot(page, 'committee-vote', 'full');
  await page.getByRole('button', { name: 'Voter' }).click();
  await expect(page.getByText('Votre vote est enregistré.')).toBeVisible();
});

test('an org admin reads the terms plainly and signs the contract', async ({ page, fx }) => {
  await login(page, fx, fx.users.statisticsAdmin);
  await open(page, fx, '/organisation');
  await expect(page.getByRole('heading', { name: 'Contrats à signer (1)' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: /Populations communales de référence/ }).first().click();
  await expect(page.getByText('Toute case de moins de 11 personnes est masquée.')).toBeVisible();
  await expect(page.getByText('Uniquement des agrégats')).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'contract');
  await page.getByRole('button', { name: 'Signer le contrat' }).click();
  await expect(page.getByText('Votre organisation a signé ce contrat.')).toBeVisible();
  await expect(page.getByText('signature vérifiée').first()).toBeVisible();
});

test('a steward uploads a CSV with a bad row, sees the error by line and column, then a good one', async ({ page, fx }) => {
  await login(page, fx, fx.users.regionSteward);
  await expect(page.getByRole('heading', { level: 1, name: 'Mes jeux de données' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: 'equipements_sportifs' }).click();
  const [a, b] = fx.communeCodes;
  const bad = `code,equipements\n${a},12\n${b},douze\n`;
  await page.getByLabel('Fichier CSV', { exact: true }).setInputFiles({ name: 'equipements.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.getByRole('button', { name: 'Envoyer' }).click();
  const errors = page.getByRole('table', { name: 'Erreurs par ligne et par colonne' });
  await expect(errors).toBeVisible();
  await expect(errors.getByRole('row').nth(1)).toContainText('3');
  await expect(errors.getByRole('row').nth(1)).toContainText('equipements');
  await expect(page.getByText('aucune donnée déposée')).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'steward-upload-refused', page.locator('#upload').locator('..'));

  const good = `code,equipements\n${fx.communeCodes.map((c, i) => `${c},${i % 40}`).join('\n')}\n`;
  await page.getByLabel('Fichier CSV', { exact: true }).setInputFiles({ name: 'equipements.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.getByRole('button', { name: 'Envoyer' }).click();
  await expect(page.getByText(`Fichier accepté : ${fx.communeCodes.length} lignes`)).toBeVisible();
  // (A refused upload consumes a version number: the first accepted one need not be version 1.)
  await expect(page.getByText(/^version \d+$/)).toBeVisible();
  await expect(page.getByText('aucune donnée déposée')).toHaveCount(0);

  // The quality card: freshness in words, and completeness per column once the worker measured it.
  const quality = page.locator('#quality').locator('..');
  await expect(page.getByRole('heading', { level: 2, name: 'Fiche qualité' })).toBeVisible();
  await expect(quality.getByText(/chargée (à l’instant|maintenant|il y a)/)).toBeVisible();
  for (const column of ['code', 'equipements']) {
    await expect(quality.getByRole('meter', { name: column })).toHaveAttribute('aria-valuenow', '100', { timeout: 20_000 });
  }
  const history = page.getByRole('table', { name: 'Historique des versions' });
  await expect(history.getByRole('row')).toHaveCount(2);
  await expect(history.getByRole('row').nth(1)).toContainText('en vigueur');
  await expect(history.getByRole('row').nth(1)).toContainText(`≈ ${(Math.round(fx.communeCodes.length / 10) * 10).toLocaleString('fr')}`);
  await expectAccessible(page);
  await screenshot(page, 'steward-quality', quality);
});

test('a researcher runs the founding computation and sees the map, suppressed communes hatched, and downloads the CSV', async ({ page, fx }) => {
  await login(page, fx, fx.users.researcher);
  await expect(page.getByRole('heading', { level: 1, name: 'Cas d’usage' })).toBeVisible();
  await page.getByRole('link', { name: 'Cartographie du risque COVID par commune' }).click();
  await expect(page.getByRole('heading', { name: 'Nouveau calcul' })).toBeVisible();
  await expectAccessible(page);

  // A refusal first, explained in words: the committee forbade crossing age with commune.
  const builder = page.locator('#query-builder').locator('..');
  await page.locator('label.check', { hasText: 'covid_patients' }).click();
  await expect(page.getByRole('checkbox', { name: /covid_patients/ })).toBeChecked();
  await page.getByLabel('Regroupement 1').selectOption({ label: 'commune (covid_patients)' });
  await page.getByRole('button', { name: 'Ajouter un regroupement' }).click();
  await page.getByLabel('Regroupement 2').selectOption({ label: 'age (covid_patients)' });
  await page.getByLabel('Tranches (facultatif)').nth(1).fill('0,65,111');
  await page.getByRole('button', { name: 'Lancer le calcul' }).click();
  await expect(builder.getByText('Ce regroupement croise des colonnes que le comité d’éthique a interdit de croiser.')).toBeVisible();

  // The founding map: patients by commune.
  await page.getByLabel('Regroupement 2').selectOption({ label: '—' });
  await page.getByLabel('Tranches (facultatif)').nth(1).fill('');
  await page.getByRole('button', { name: 'Lancer le calcul' }).click();
  const map = page.getByTestId('choropleth');
  await expect(map.locator('svg').last()).toBeVisible({ timeout: 60_000 });
  const hatched = map.locator('g.cadre-suppressed path');
  expect(await hatched.count()).toBeGreaterThan(0);
  await expect(hatched.first()).toHaveAttribute('fill', 'url(#cadre-hatch)');
  await expect(page.getByText('IGN Admin Express, via france-geojson')).toBeVisible();
  await expect(page.getByText(/Hachuré : commune masquée — secret statistique : moins de 15 personnes/)).toBeVisible();
  await expect(page.getByTestId('signature')).toHaveText(/Signature du résultat vérifiée/);
  await expect(page.getByRole('table', { name: /Tableau du résultat/ }).getByText(/masqué/).first()).toBeVisible();
  await expectAccessible(page);
  await page.setViewportSize({ width: 1200, height: 1060 });
  await page.evaluate("document.getElementById('result')?.scrollIntoView()");
  await screenshot(page, 'researcher-map');
  await page.setViewportSize({ width: 1200, height: 820 });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger le CSV' }).click()]);
  const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  expect(csv.split('\n')[0]).toContain('covid_patients.commune');
  const lines = csv.trim().split('\n').slice(1);
  expect(lines.length).toBeGreaterThan(100);
  for (const line of lines) expect(fx.communeCodes).toContain(line.split(',')[0].replace(/"/g, ''));
  expect(csv).not.toMatch(/nationalId/);

  // The use case's computations list (GET /use-cases/{id}/computations) shows it released.
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Cas d’usage' }).click();
  await page.getByRole('link', { name: 'Cartographie du risque COVID par commune' }).click();
  await expect(page.getByRole('table', { name: 'Calculs de ce cas d’usage' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Calculs de ce cas d’usage' }).getByRole('row')).toHaveCount(3);
  await expect(page.locator('#computations').locator('..').getByText('publié').first()).toBeVisible();
});

test('the operator sees usage per member and use case, the members, the committee and a valid audit chain', async ({ page, fx }) => {
  await login(page, fx, fx.operator.email, fx.operator.password);
  await expect(page.getByRole('heading', { name: 'Par membre' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'CHU de Montpellier' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'operator-usage');
  for (const [tab, text] of [['Membres et collèges', 'Santé'], ['Chartes', 'Charte éthique Cadre'], ['Comité d’éthique', 'Independent ethicist'], ['Journal d’audit', 'La chaîne d’audit est intègre']] as const) {
    await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: tab }).click();
    await expect(page.getByText(text).first()).toBeVisible();
    await expectAccessible(page);
  }
});
