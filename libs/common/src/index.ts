export * from './domain-error';
export * from './canonical-json';
export * from './pagination';
export { ProblemFilter, problem, toProblem } from './problem.filter';
export type { Problem } from './problem.filter';
export { createValidationPipe } from './validation';
export { ORG_ROLES, PLATFORM_ROLES } from './actor';
export type { Actor, OrgRole, PlatformRole } from './actor';
