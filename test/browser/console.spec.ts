import { generateKeyPairSync } from 'node:crypto';
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
  // The perturbation condition, explained in plain words before the numbers.
  await expect(page.getByText(/Chaque valeur publiée est légèrement décalée/)).toBeVisible();
  await page.getByLabel('Écart maximal (±)').fill('3');
  await page.getByLabel('Variance', { exact: true }).fill('4');
  await expectAccessible(page);
  await screenshot(page, 'committee-vote', 'full');
  const [sent] = await Promise.all([page.waitForRequest((r) => r.url().endsWith('/votes') && r.method() === 'POST'), page.getByRole('button', { name: 'Voter' }).click()]);
  expect(sent.postDataJSON().conditions).toMatchObject({ minCellSize: 20, rounding: 5, perturbation: { maxDeviation: 3, variance: 4 }, releaseMode: 'provider_review' });
  await expect(page.getByText('Votre vote est enregistré.')).toBeVisible();
});

test('an org admin reads the terms plainly, tightens them, signs the contract, then terminates it with a reason', async ({ page, fx }) => {
  await login(page, fx, fx.users.statisticsAdmin);
  await open(page, fx, '/organisation');
  await expect(page.getByRole('heading', { name: 'Contrats à signer (1)' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: /Populations communales de référence/ }).first().click();
  await expect(page.getByText('Toute case de moins de 11 personnes est masquée.')).toBeVisible();
  await expect(page.getByText('Uniquement des agrégats')).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'contract');

  // Tighten before signing: a looser value is explained and not sent; a stricter one voids the lab's signature.
  const tighten = page.locator('#tighten').locator('..');
  await tighten.getByLabel('Taille minimale des cellules').fill('5');
  await expect(tighten.getByText(/Ces valeurs assoupliraient le contrat.*taille minimale des cellules/)).toBeVisible();
  await expect(tighten.getByRole('button', { name: 'Appliquer ces termes plus stricts' })).toBeDisabled();
  await tighten.getByLabel('Taille minimale des cellules').fill('15');
  await tighten.getByText('Relire chaque résultat avant sa publication').click();
  await expectAccessible(page);
  await screenshot(page, 'contract-tighten', tighten);
  await tighten.getByRole('button', { name: 'Appliquer ces termes plus stricts' }).click();
  await expect(page.getByText('Toute case de moins de 15 personnes est masquée.')).toBeVisible();
  await expect(page.locator('#terms').locator('..').getByText('Chaque résultat est relu par les fournisseurs avant publication')).toBeVisible();
  await expect(page.getByText('Aucune signature pour l’instant.')).toBeVisible();

  await page.getByRole('button', { name: 'Signer le contrat' }).click();
  await expect(page.getByText('Votre organisation a signé ce contrat.')).toBeVisible();
  await expect(page.getByText('signature vérifiée').first()).toBeVisible();

  // Terminating needs a reason, and says what it does.
  await expect(page.getByRole('button', { name: 'Résilier maintenant' })).toBeDisabled();
  await page.getByLabel('Motif de la résiliation').fill('Le laboratoire n’a plus l’usage de ces données.');
  await page.getByRole('button', { name: 'Résilier maintenant' }).click();
  await expect(page.locator('.meta').getByText('résilié')).toBeVisible();
  await expect(page.getByText(/Ce contrat est résilié\. Motif : « Le laboratoire n’a plus l’usage de ces données\. »/)).toBeVisible();
  await expectAccessible(page);
});

test('an org admin registers the organisation’s public key, and revokes it; a private key is refused before it leaves', async ({ page, fx }) => {
  await login(page, fx, fx.users.statisticsAdmin);
  await open(page, fx, '/organisation');
  const keys = page.locator('#keys').locator('..');
  await expect(keys.getByText('Aucune clé enregistrée')).toBeVisible();
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const sentKeys: string[] = [];
  page.on('request', (r) => r.url().endsWith('/keys') && r.method() === 'POST' && sentKeys.push(r.postData() ?? ''));
  await keys.getByLabel('Clé publique (JWK)').fill(JSON.stringify(privateKey.export({ format: 'jwk' })));
  await keys.getByRole('button', { name: 'Enregistrer la clé' }).click();
  await expect(keys.getByText('Cette clé contient sa partie privée')).toBeVisible();
  expect(sentKeys).toEqual([]);
  await keys.getByLabel('Clé publique (JWK)').fill('pas du JSON');
  await keys.getByRole('button', { name: 'Enregistrer la clé' }).click();
  await expect(keys.getByText('Ce texte n’est pas un objet JSON')).toBeVisible();

  await keys.getByLabel('Clé publique (JWK)').fill(JSON.stringify(publicKey.export({ format: 'jwk' })));
  await keys.getByRole('button', { name: 'Enregistrer la clé' }).click();
  await expect(keys.getByRole('table').getByRole('row')).toHaveCount(2);
  await expect(keys.getByRole('cell', { name: 'EdDSA' })).toBeVisible();
  expect(sentKeys).toHaveLength(1);
  expect(sentKeys[0]).not.toContain('"d"');
  await expectAccessible(page);
  await screenshot(page, 'organisation-keys', keys);
  await keys.getByRole('button', { name: 'Révoquer' }).click();
  await expect(keys.getByText(/révoquée le/)).toBeVisible();
  await expect(keys.getByRole('button', { name: 'Révoquer' })).toHaveCount(0);
});

test('a steward of a provider reviews a held result in the airlock and publishes it; the researcher then sees it published', async ({ page, fx }) => {
  await login(page, fx, fx.users.hospitalSteward);
  const airlock = page.locator('#airlock').locator('..');
  await expect(page.getByRole('heading', { level: 2, name: 'Résultats à relire avant publication (1)' })).toBeVisible();
  await expect(airlock.getByRole('link', { name: /Patients COVID par commune, relus par l’hôpital/ })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'steward-airlock', airlock);
  await airlock.getByRole('button', { name: 'Publier' }).click();
  await expect(airlock.getByText('Aucun résultat en attente de votre relecture.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Résultats à relire avant publication (0)' })).toBeVisible();

  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page.getByRole('link', { name: 'Se connecter' })).toBeVisible();
  await login(page, fx, fx.users.researcher);
  await open(page, fx, `/use-cases/${fx.useCases.reviewed}`);
  await expect(page.getByRole('table', { name: 'Calculs de ce cas d’usage' })).toBeVisible();
  await expect(page.locator('#computations').locator('..').getByText('publié').first()).toBeVisible();
  await expect(page.locator('#computations').locator('..').getByText('en relecture par les fournisseurs')).toHaveCount(0);
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
  // The refused upload took no version number: the first accepted one is version 1.
  await expect(page.getByText(/^version 1$/)).toBeVisible();
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

test('a researcher builds a rate per 1,000 inhabitants against the reference population and sees the map and the table', async ({ page, fx }) => {
  await login(page, fx, fx.users.researcher);
  await open(page, fx, `/use-cases/${fx.useCases.covid}`);
  const builder = page.locator('#query-builder').locator('..');
  await page.locator('label.check', { hasText: 'covid_patients' }).click();
  await page.locator('label.check', { hasText: 'communes_herault' }).click();
  await page.getByLabel('Regroupement 1').selectOption({ label: 'commune (covid_patients)' });
  await builder.getByRole('button', { name: 'Ajouter un filtre' }).click();
  await builder.getByLabel('Colonne', { exact: true }).selectOption({ label: 'covidPositive (covid_patients)' });
  await builder.getByLabel('Valeur').fill('true');
  await builder.getByLabel('Taux pour (population de référence)').selectOption({ label: 'population (communes_herault)' });
  await expect(builder.getByLabel('Pour combien d’habitants')).toHaveValue('1000');
  await expectAccessible(page);
  await screenshot(page, 'researcher-rate-builder', builder);
  const [sent] = await Promise.all([page.waitForRequest((r) => r.url().endsWith('/computations') && r.method() === 'POST'), builder.getByRole('button', { name: 'Lancer le calcul' }).click()]);
  const query = sent.postDataJSON().query;
  expect(query.measures).toContainEqual({ fn: 'rate', of: 'count', per: 'communes_herault.population', scale: 1000 });
  expect(query.join).toEqual([{ left: 'covid_patients.commune', right: 'communes_herault.code' }]);

  const label = 'Personnes pour 1\u202f000 de population (communes_herault)';
  const map = page.getByTestId('choropleth');
  await expect(map.getByRole('img', { name: `Carte de l’Hérault par commune : ${label}.`, exact: false })).toBeVisible({ timeout: 60_000 });
  await expect(map.getByRole('img', { name: `Légende des couleurs : ${label}, de la plus faible à la plus forte valeur.` })).toBeVisible();
  expect(await map.locator('g.cadre-suppressed path').count()).toBeGreaterThan(0);
  const table = page.getByRole('table', { name: /Tableau du résultat/ });
  await expect(table.getByRole('columnheader', { name: label })).toBeVisible();
  await expect(table.getByText(/masqué/).first()).toBeVisible();
  // A released rate is a number, not a count: at most a few hundred per 1,000.
  const firstReleased = table.locator('tbody tr:not(.suppressed)').first();
  const rate = Number((await firstReleased.locator('td').last().innerText()).replace(/\s/g, '').replace(',', '.'));
  expect(rate).toBeGreaterThan(0);
  expect(rate).toBeLessThanOrEqual(1000);
  await expect(page.getByTestId('signature')).toHaveText(/Signature du résultat vérifiée/);
  await expectAccessible(page);
  await page.setViewportSize({ width: 1200, height: 1060 });
  await page.evaluate("document.getElementById('result')?.scrollIntoView()");
  await screenshot(page, 'researcher-rate-map');
  await page.setViewportSize({ width: 1200, height: 820 });
});

test('a researcher edits a draft and submits it; another amends an approved use case with a reason', async ({ page, fx }) => {
  await login(page, fx, fx.users.researcher);
  await page.getByRole('link', { name: 'Nouveau cas d’usage' }).click();
  await page.getByLabel('Titre').fill('Équipements sportifs et santé');
  await page.getByLabel('Finalité').fill('Relier l’offre sportive communale aux séjours hospitaliers.');
  await page.getByLabel('Intérêt public').fill('Orienter l’investissement sportif des communes.');
  await page.locator('fieldset', { hasText: 'covid_patients' }).locator('label.check', { hasText: 'age' }).click();
  await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Équipements sportifs et santé' })).toBeVisible();
  await expect(page.locator('.meta').getByText('brouillon')).toBeVisible();

  const edit = page.locator('#edit').locator('..');
  await expect(edit.getByText('Ce cas d’usage est un brouillon')).toBeVisible();
  await edit.getByLabel('Titre').fill('Équipements sportifs et séjours hospitaliers');
  await edit.locator('fieldset', { hasText: 'covid_patients' }).locator('label.check', { hasText: 'icuDays' }).click();
  await expectAccessible(page);
  const [patch] = await Promise.all([page.waitForRequest((r) => r.method() === 'PATCH'), edit.getByRole('button', { name: 'Enregistrer le brouillon' }).click()]);
  expect(Object.keys(patch.postDataJSON()).sort()).toEqual(['requestedDatasets', 'title']);
  await expect(page.getByRole('heading', { level: 1, name: 'Équipements sportifs et séjours hospitaliers' })).toBeVisible();
  await page.locator('#edit').locator('..').getByRole('button', { name: 'Soumettre au comité d’éthique' }).click();
  await expect(page.locator('.meta').getByText('en examen')).toBeVisible();
  await expect(page.locator('#edit')).toHaveCount(0);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page.getByRole('link', { name: 'Se connecter' })).toBeVisible();

  // The lab's approved use case: an amendment sends it back to the committee, with its reason.
  await login(page, fx, 'researcher@lab.demo');
  await open(page, fx, `/use-cases/${fx.useCases.pending}`);
  const amend = page.locator('#amend').locator('..');
  await expect(amend.getByText('Un amendement renvoie le cas d’usage devant le comité')).toBeVisible();
  await amend.getByRole('button', { name: 'Préparer un amendement' }).click();
  await expect(amend.getByRole('button', { name: 'Soumettre l’amendement au comité' })).toBeDisabled();
  await amend.getByLabel('Finalité').fill('Documenter les dénominateurs de population, y compris les communes fusionnées.');
  await amend.getByLabel('Motif de l’amendement').fill('Les communes fusionnées doivent être couvertes.');
  await expectAccessible(page);
  await screenshot(page, 'researcher-amend', amend);
  await amend.getByRole('button', { name: 'Soumettre l’amendement au comité' }).click();
  await expect(page.locator('.meta').getByText('en examen')).toBeVisible();
  await expect(page.getByText('Documenter les dénominateurs de population, y compris les communes fusionnées.').first()).toBeVisible();
});
