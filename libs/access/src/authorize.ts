import { Forbidden, NotFound } from '@cadre/common';
import type { Action, AppAbility, SubjectRecord, SubjectType } from './subjects';

/**
 * How a refusal reads: a 403 with this detail (the caller may see the record but not do
 * this to it), or a 404 naming the kind of record (the caller may not even know it exists).
 */
export type Refusal = string | { notFound: string };

/**
 * The one way a service asks the rules of @cadre/access about a loaded record:
 * `authorize(ability, 'sign', subject('Contract', c), 'Only the parties sign a contract')`.
 * Throws Forbidden (or NotFound) unless the ability allows `action` on `target`; the
 * rules themselves live in the AbilityFactory only.
 */
export function authorize(ability: AppAbility, action: Action, target: SubjectType | SubjectRecord, refusal?: Refusal): void {
  if (ability.can(action, target)) return;
  if (typeof refusal === 'object') throw new NotFound(refusal.notFound);
  throw new Forbidden(refusal);
}
