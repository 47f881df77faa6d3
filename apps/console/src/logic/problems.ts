import type { TFunction } from 'i18next';
import { ApiError, type Problem } from '../api';

export interface ProblemWords {
  /** The refusal in one sentence of the reader's language. */
  words: string;
  /** What the server said, when it said more (shown after the sentence, never instead of it). */
  detail?: string;
  /** Field-by-field errors of a 400 / 422. */
  errors: { field: string; message: string }[];
}

/**
 * An API refusal said in words: the problem's stable `code` first (e.g. `forbidden_group_by`),
 * then the HTTP status, then a generic sentence — never a bare number or an English-only detail.
 */
export function problemWords(t: TFunction, error: unknown): ProblemWords {
  const p: Problem = error instanceof ApiError ? error.problem : { status: 0, detail: error instanceof Error ? error.message : String(error) };
  const byCode = p.code ? t(`problems.${p.code}`, { defaultValue: '' }) : '';
  const byStatus = p.status ? t(`problems.http_${p.status}`, { defaultValue: '' }) : '';
  return { words: byCode || byStatus || t('problems.generic'), detail: p.detail, errors: p.errors ?? [] };
}
