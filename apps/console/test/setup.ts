import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';
import i18n from '../src/i18n';

// French by default, as the console; each test that needs English switches explicitly.
afterEach(async () => {
  cleanup();
  await i18n.changeLanguage('fr');
});
