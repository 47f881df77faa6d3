import type { TFunction } from 'i18next';
import type { Json } from '../api';
import { prettyColumn } from './columns';

export interface TermLine {
  /** Stable key (tests and React keys). */
  key: string;
  term: string;
  text: string;
  /** Sub-items (e.g. the columns of each dataset). */
  items?: string[];
}

/** A contract's terms as plain sentences, in the reader's language: what an org admin signs. */
export function termsInWords(t: TFunction, terms: Json, datasetName: (id: string) => string, formatDate: (iso: string) => string): TermLine[] {
  const d = terms.disclosure ?? {};
  const privacy = d.privacy ?? { mechanism: 'none' };
  const lines: TermLine[] = [
    { key: 'purpose', term: t('contract.purpose'), text: terms.purpose },
    {
      key: 'computed',
      term: t('contract.whatMayBeComputed'),
      text: t('contract.onlyAggregates'),
      items: (terms.datasets ?? []).map((x: Json) => `${t('contract.columnsOf', { dataset: datasetName(x.datasetId) })} ${x.columns.map(prettyColumn).join(', ')}`),
    },
    { key: 'minCellSize', term: t('contract.minCellSize'), text: t('contract.minCellSizeText', { n: d.minCellSize }) },
  ];
  if (d.dominance) lines.push({ key: 'dominance', term: t('contract.dominance'), text: t('contract.dominanceText', { n: d.dominance.n, k: d.dominance.k }) });
  lines.push({ key: 'rounding', term: t('contract.rounding'), text: d.rounding ? t('contract.roundingText', { n: d.rounding }) : t('contract.noRounding') });
  if (d.perturbation) lines.push({ key: 'perturbation', term: t('contract.perturbation'), text: t('contract.perturbationText', { n: d.perturbation.maxDeviation, v: d.perturbation.variance }) });
  lines.push({
    key: 'privacy',
    term: t('contract.privacy'),
    text: privacy.mechanism === 'none' ? t('contract.privacyNone') : t('contract.privacyDp', { mechanism: t(`mechanisms.${privacy.mechanism}`, { defaultValue: privacy.mechanism }), epsilon: privacy.epsilonTotal }),
  });
  for (const set of d.forbiddenGroupBy ?? []) lines.push({ key: `forbidden-${(set as string[]).join('+')}`, term: t('contract.forbidden'), text: (set as string[]).map(prettyColumn).join(' × ') });
  lines.push(
    { key: 'releaseMode', term: t('contract.releaseMode'), text: t(`conditions.release_${terms.releaseMode}`) },
    { key: 'maxComputations', term: t('contract.maxComputations'), text: String(terms.maxComputations) },
    { key: 'validity', term: t('contract.validity'), text: `${formatDate(terms.validFrom)} → ${formatDate(terms.validUntil)}` },
    { key: 'researchers', term: t('contract.researchers'), text: t('contract.researchersText', { n: (terms.researchers ?? []).length }) },
  );
  return lines;
}

export interface Tightening {
  minCellSize: string;
  rounding: string;
  dominanceK: string;
  maxComputations: string;
  providerReview: boolean;
}

export const noTightening = (): Tightening => ({ minCellSize: '', rounding: '', dominanceK: '', maxComputations: '', providerReview: false });

/**
 * The PATCH body that tightens a contract (only the fields the admin filled), and the fields
 * that would loosen it — the same comparisons as libs/contracts' looserFields, checked here to
 * say so before sending; the API checks again (422 terms_not_stricter) and is the authority.
 */
export function tighteningPatch(terms: Json, form: Tightening): { patch: Json; looser: string[] } {
  const d = terms.disclosure ?? {};
  const disclosure: Json = {};
  const patch: Json = {};
  const looser: string[] = [];
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const minCellSize = num(form.minCellSize);
  if (minCellSize !== undefined) {
    if (!(minCellSize >= d.minCellSize)) looser.push('minCellSize');
    disclosure.minCellSize = minCellSize;
  }
  const rounding = num(form.rounding);
  if (rounding !== undefined) {
    if (!(rounding >= (d.rounding ?? 0))) looser.push('rounding');
    disclosure.rounding = rounding;
  }
  const k = num(form.dominanceK);
  if (k !== undefined) {
    if (!(k <= (d.dominance?.k ?? 100))) looser.push('dominanceK');
    disclosure.dominance = { k };
  }
  if (Object.keys(disclosure).length) patch.disclosure = disclosure;
  const maxComputations = num(form.maxComputations);
  if (maxComputations !== undefined) {
    if (!(maxComputations <= terms.maxComputations)) looser.push('maxComputations');
    patch.maxComputations = maxComputations;
  }
  if (form.providerReview && terms.releaseMode !== 'provider_review') patch.releaseMode = 'provider_review';
  return { patch, looser };
}
