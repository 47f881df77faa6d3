import type { TFunction } from 'i18next';

/**
 * The upload validator (libs/datasets, row-validator.ts) reports a row's problem as a short
 * English message without a code; the known ones are said in the reader's language, and an
 * unknown one is shown as the server wrote it (never hidden).
 */
const KNOWN: [RegExp, string][] = [
  [/^must be an integer$/, 'integer'],
  [/^must be a number$/, 'number'],
  [/^must be a boolean/, 'boolean'],
  [/^must be an ISO date/, 'date'],
  [/^must be one of the declared categories$/, 'category'],
  [/^(integer|number) out of range$/, 'range'],
  [/^linkage key is required$/, 'linkageKey'],
  [/^reference key is required$/, 'referenceKey'],
  [/^must not contain a NUL character$/, 'nul'],
  [/^must be at least the declared minimum (.+)$/, 'min'],
  [/^must be at most the declared maximum (.+)$/, 'max'],
];

export function rowErrorInWords(t: TFunction, message: string): string {
  for (const [pattern, key] of KNOWN) {
    const m = pattern.exec(message);
    if (m) return t(`rowErrors.${key}`, { n: m[1] });
  }
  return message;
}
