import { expect, expectAccessible, login, open, screenshot, test } from './fixtures';

// Runs last (files run in name order, one worker): publishing a charter version leaves every member out of standing.
test('the operator sees usage per member and use case, the members, the committee and a valid audit chain', async ({ page, fx }) => {
  await login(page, fx, fx.operator.email, fx.operator.password);
  await expect(page.getByRole('heading', { name: 'Par membre' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'CHU de Montpellier' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'operator-usage');
  for (const [tab, text] of [['Membres et collèges', 'CHU de Montpellier'], ['Chartes', 'Charte éthique Cadre'], ['Comité d’éthique', 'Independent ethicist'], ['Journal d’audit', 'La chaîne d’audit est intègre']] as const) {
    await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: tab }).click();
    await expect(page.getByText(text).first()).toBeVisible();
    await expectAccessible(page);
  }
});

test('the operator admits a member with its first admin, names and removes committee members, deactivates a user, drafts and publishes a charter', async ({ page, fx }) => {
  await login(page, fx, fx.operator.email, fx.operator.password);
  await open(page, fx, '/operator/members');
  const admit = page.locator('#admit').locator('..');
  await admit.getByLabel('Nom de l’organisation').fill('Commune de Sète');
  await admit.getByLabel('Collège').selectOption('local_authorities');
  await admit.getByLabel('SIREN (facultatif)').fill('213403017');
  await admit.getByLabel('Nom', { exact: true }).fill('Admin Sète');
  await admit.getByLabel('Adresse e-mail').fill('admin@sete.demo');
  await admit.getByLabel('Mot de passe initial').fill('sete-password-0123');
  await expectAccessible(page);
  await screenshot(page, 'operator-admit', admit);
  await admit.getByRole('button', { name: 'Admettre' }).click();
  await expect(admit.getByText('« Commune de Sète » est admise.')).toBeVisible();
  const sete = page.locator('details', { hasText: 'Commune de Sète' });
  await expect(sete).toContainText('n’adhère pas à la charte en vigueur');
  await sete.locator('summary').click();
  await expect(sete.getByRole('cell', { name: 'admin@sete.demo' })).toBeVisible();
  await sete.getByRole('button', { name: 'Désactiver Admin Sète' }).click();
  await expect(sete.getByRole('cell', { name: /désactivé/ })).toBeVisible();
  await expect(sete.getByRole('button', { name: 'Réactiver Admin Sète' })).toBeVisible();
  await expectAccessible(page);

  // The committee: name a steward, remove the hospital's member.
  await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: 'Comité d’éthique' }).click();
  const committee = page.locator('#committee-list').locator('..');
  const candidate = await committee.locator('#candidate option', { hasText: 'Social body data steward' }).getAttribute('value');
  await committee.getByLabel('Nommer au comité').selectOption(candidate!);
  await committee.getByRole('button', { name: 'Nommer', exact: true }).click();
  await expect(committee.getByRole('button', { name: 'Retirer Social body data steward du comité' })).toBeVisible();
  await committee.getByRole('button', { name: 'Retirer Dr. Hospital, committee member du comité' }).click();
  await expect(committee.getByRole('button', { name: 'Retirer Dr. Hospital, committee member du comité' })).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, 'operator-committee', committee);

  // A new charter version: drafted from the current text, then published after a warning.
  await page.getByRole('navigation', { name: 'Rubriques' }).getByRole('link', { name: 'Chartes' }).click();
  const draft = page.locator('#draft-charter').locator('..');
  await expect(draft.getByLabel('Principes')).not.toHaveValue('');
  await draft.getByLabel('Version', { exact: true }).fill('2.0');
  await draft.getByLabel('Principes').fill(`${await draft.getByLabel('Principes').inputValue()}\nP9 | Sobriété | Ne demander que les colonnes nécessaires.`);
  await draft.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
  const list = page.locator('#charter-list').locator('..');
  await list.getByRole('button', { name: 'Publier la version 2.0' }).click();
  await expect(list.getByText('Publier remplace la charte en vigueur')).toBeVisible();
  await expectAccessible(page);
  await list.getByRole('button', { name: 'Confirmer la publication de la version 2.0' }).click();
  await expect(list.locator('li', { hasText: 'version 2.0' }).getByText('en vigueur')).toBeVisible();
  await expect(list.locator('li', { hasText: 'version 1' }).getByText('remplacé')).toBeVisible();
  await open(page, fx, '/charter');
  await expect(page.getByText('Ne demander que les colonnes nécessaires.')).toBeVisible();
});
