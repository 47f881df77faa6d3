export * from './domain-error';
export * from './canonical-json';
export * from './pagination';
export { ProblemFilter, problem, toProblem } from './problem.filter';
export type { Problem } from './problem.filter';
export { createValidationPipe } from './validation';
